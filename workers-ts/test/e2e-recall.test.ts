// Recall through the engine: what the worker's calls for a cell answered can
// be asked for again, and a call still at work is named as running. The
// engine is not restarted here; that is the harness's scenario. These tests
// pin what the restarted engine's caller relies on: the same digests, and a
// running mark for a call whose answer is not in yet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../src/digest.ts';
import type { Recalled } from '../src/recall.ts';
import { type Cluster, startCluster } from './support/cluster.ts';
import { expectedFor, type PlanOp } from './support/expectation.ts';
import { engineAvailable, engineKind } from './support/processes.ts';

const OPS: PlanOp[] = [
  { bytes: { seed: 'recall', length: 5000, chunk: 1024 } },
  { text: { value: 'kept' } },
  { close: {} },
];
const want = expectedFor(OPS);
const plan = { style: 'AWAITED', ops: OPS };

describe.skipIf(!engineAvailable)(`recall via ${engineKind}`, () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  /** Asks recall until `done` holds for its answer (the call may still be on its way). */
  async function recallUntil(cell: string, done: (r: Recalled) => boolean): Promise<Recalled> {
    const until = Date.now() + 10_000;
    for (;;) {
      const answer = await c.call<Recalled>('recall', { cell });
      if (done(answer) || Date.now() > until) return answer;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('is announced in describe', async () => {
    const description = await c.call<{ capabilities: { recall?: boolean } }>('describe', {});
    expect(description.capabilities.recall).toBe(true);
  });

  it('gives back the digests a finished write and read answered', async () => {
    const cell = 'recall/finished ts->ts';
    const ch = await c.channel();
    const [write, read] = await Promise.all([
      c.call<{ digest: Digest }>('write', {
        cell,
        plan,
        deadline_ms: 10_000,
        writer: ch.writerRef,
      }),
      c.call<{ digest: Digest }>('read', {
        cell,
        read: { style: 'STREAM', texts: true },
        deadline_ms: 10_000,
        reader: ch.readerRef,
      }),
    ]);
    for (const d of [write.digest, read.digest]) {
      expect(d).toMatchObject({ end: 'closed', bytes: want.bytes, sha256: want.sha256 });
    }

    const recalled = await c.call<Recalled>('recall', { cell });
    expect(recalled).toEqual({ running: [], write, read });
    expect(await c.call<Recalled>('recall', { cell: 'recall/never-run' })).toEqual({ running: [] });
  });

  it('names a read still waiting for its writer as running, then gives its digest', async () => {
    const cell = 'recall/running ts->ts';
    const ch = await c.channel();
    const reading = c.call<{ digest: Digest }>('read', {
      cell,
      read: { style: 'READ_ALL', texts: true },
      deadline_ms: 10_000,
      reader: ch.readerRef,
    });

    // Nobody writes yet, so the reader can only wait.
    const waiting = await recallUntil(cell, (r) => r.running.includes('read'));
    expect(waiting).toEqual({ running: ['read'] });

    const write = await c.call<{ digest: Digest }>('write', {
      cell,
      plan,
      deadline_ms: 10_000,
      writer: ch.writerRef,
    });
    const read = await reading;
    expect(read.digest).toMatchObject({ end: 'closed', bytes: want.bytes, sha256: want.sha256 });
    expect(await c.call<Recalled>('recall', { cell })).toEqual({ running: [], write, read });
  });

  it('rejects a recall without a cell, naming the field', async () => {
    await expect(c.call('recall', { cell: '' })).rejects.toMatchObject({
      message: expect.stringContaining('INVALID_REQUEST: cell'),
    });
  });
});
