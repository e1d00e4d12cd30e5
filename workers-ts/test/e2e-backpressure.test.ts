// Backpressure and slow or absent readers: the awaited writer must honour the
// SDK's 'drain' and still finish byte-exact; deadlines must hold when nothing
// drains at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../src/digest.ts';
import { type Cluster, startCluster, waitForFunction } from './support/cluster.ts';
import { expectedFor, type PlanOp } from './support/expectation.ts';
import { engineAvailable, startWorker } from './support/processes.ts';

const MiB = 1024 * 1024;

describe.skipIf(!engineAvailable)('backpressure', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it.each(['AWAITED', 'FIRE_AND_FORGET'])(
    '%s writer into buffer 1 with a slow stream reader stays byte-exact',
    async (style) => {
      const ops: PlanOp[] = [
        { bytes: { seed: 'slow', length: 2 * MiB, chunk: 65_536 } },
        { text: { value: 'after the flood' } },
        { close: {} },
      ];
      const want = expectedFor(ops);
      const ch = await c.channel(1);
      const cell = `backpressure/slow-reader ${style}`;
      const [w, r] = await Promise.all([
        c.call<{ digest: Digest }>('write', {
          cell,
          plan: { style, ops },
          writer: ch.writerRef,
          deadline_ms: 20_000,
        }),
        c.call<{ digest: Digest }>('read', {
          cell,
          read: { style: 'STREAM', texts: true, chunk_delay_ms: 10, start_delay_ms: 300 },
          reader: ch.readerRef,
          deadline_ms: 20_000,
        }),
      ]);
      expect(w.digest).toMatchObject({ end: 'closed', bytes: want.bytes, sha256: want.sha256 });
      expect(r.digest).toMatchObject({ end: 'closed', bytes: want.bytes, sha256: want.sha256 });
      expect(r.digest.texts_sha256).toBe(want.texts_sha256);
      // Loopback socket buffers take megabytes, so even an awaited writer
      // may finish before its late reader starts; recorded, not asserted.
      const ends = `writer end_ms ${w.digest.timing.end_ms}, reader ${r.digest.timing.end_ms}`;
      console.info(`${style}: ${ends}`);
    },
  );

  it('an awaited writer with no reader stops at its deadline', async () => {
    const ops: PlanOp[] = [
      { bytes: { seed: 'nobody', length: 16 * MiB, chunk: MiB } },
      { close: {} },
    ];
    const ch = await c.channel(1);
    const started = Date.now();
    const w = await c.call<{ digest: Digest }>('write', {
      cell: 'backpressure/no-reader',
      plan: { style: 'AWAITED', ops },
      writer: ch.writerRef,
      deadline_ms: 1500,
    });
    expect(w.digest.end).toBe('timeout');
    expect(w.digest.bytes).toBeLessThan(16 * MiB);
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('a writer process that dies mid-stream looks like a clean, short end', async () => {
    // The main worker reads; a second worker writes and exits mid-plan.
    const doomed = startWorker(c.wsUrl, `conformance-die-${process.pid}`, 'tsdie');
    await waitForFunction(c.client, 'conformance::tsdie::describe');
    const ch = await c.channel();
    const ops: PlanOp[] = [
      { bytes: { seed: 'die', length: 300_000 } },
      { pause: { ms: 200 } },
      { exit: { code: 3 } },
    ];
    const [, r] = await Promise.all([
      c.client
        .trigger({
          function_id: 'conformance::tsdie::write',
          payload: { cell: 'lifecycle/writer-dies', plan: { ops }, writer: ch.writerRef },
          timeoutMs: 5000,
        })
        .catch((err: Error) => err),
      c.call<{ digest: Digest }>('read', {
        cell: 'lifecycle/writer-dies',
        read: { style: 'STREAM' },
        reader: ch.readerRef,
        deadline_ms: 5000,
      }),
    ]);
    await doomed.stop();
    console.info(
      `writer died: reader ended ${r.digest.end} with ${r.digest.bytes} B`,
      r.digest.error,
    );
    // Notes §3.6: a writer that dies reads as a clean end; nothing tells the
    // reader apart from a finished stream but the byte count.
    expect(r.digest).toMatchObject({ end: 'closed', bytes: 300_000 });
  });
});
