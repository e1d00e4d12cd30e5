// Producer ownership (the worker creates the channel and passes the reader
// ref on in every placement) and the relay, all on one ts worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../src/digest.ts';
import { type Cluster, startCluster } from './support/cluster.ts';
import { expectedFor, type PlanOp } from './support/expectation.ts';
import { engineAvailable } from './support/processes.ts';

const OPS: PlanOp[] = [
  { bytes: { seed: 'own', length: 65_537, chunk: 8192 } },
  { text: { value: 'mid 🚀' } },
  { bytes: { seed: 'own', offset: 65_537, length: 300_000 } },
  { close: {} },
];
const want = expectedFor(OPS);

describe.skipIf(!engineAvailable)('ownership and relay', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it.each(['field', 'array', 'nested', 'top', ''])(
    'produce: reader ref placed as "%s" reaches the reader',
    async (ref_placement) => {
      const produce = {
        buffer_size: 4,
        reader_function: 'conformance::ts::read',
        read: { style: 'STREAM', texts: true },
        ref_placement,
      };
      const plan = { style: 'AWAITED', ops: OPS };
      const cell = `ownership/produce-${ref_placement || 'default'}`;
      const result = await c.call<{ digest: Digest; reader_digest: Digest }>('write', {
        cell,
        plan,
        produce,
        deadline_ms: 15_000,
      });
      expect(result.digest).toMatchObject({
        end: 'closed',
        bytes: want.bytes,
        sha256: want.sha256,
      });
      expect(result.reader_digest).toMatchObject({
        role: 'reader',
        end: 'closed',
        bytes: want.bytes,
        sha256: want.sha256,
      });
      // "top" carries no read spec, so the reader falls back to READ_ALL.
      if (ref_placement === 'top') expect(result.reader_digest.chunks).toBe(1);
      expect(result.reader_digest.texts_sha256).toBe(want.texts_sha256);
    },
  );

  it('produce: a reader function that does not exist is reported, not thrown', async () => {
    const produce = { reader_function: 'conformance::nobody::read', ref_placement: 'field' };
    const ops: PlanOp[] = [{ bytes: { seed: 'x', length: 10 } }, { close: {} }];
    const result = await c.call<{ digest: Digest; reader_digest: Digest }>('write', {
      cell: 'ownership/missing-reader',
      plan: { style: 'FIRE_AND_FORGET', ops },
      produce,
      deadline_ms: 3000,
    });
    expect(result.reader_digest).toMatchObject({ role: 'reader', lang: 'nobody', end: 'error' });
    expect(result.reader_digest.error?.code).toBe('function_not_found');
  });

  it.each(['AWAITED', 'FIRE_AND_FORGET'])('relay (%s) passes bytes and texts on', async (style) => {
    const first = await c.channel();
    const second = await c.channel();
    const cell = `pipeline/relay ${style}`;
    const deadline_ms = 15_000;
    const [w, relay, r] = await Promise.all([
      c.call<{ digest: Digest }>('write', {
        cell,
        plan: { style: 'AWAITED', ops: OPS },
        writer: first.writerRef,
        deadline_ms,
      }),
      c.call<{ input: Digest; output: Digest }>('relay', {
        cell,
        style,
        read: { style: 'STREAM', texts: true },
        reader: first.readerRef,
        writer: second.writerRef,
        deadline_ms,
      }),
      c.call<{ digest: Digest }>('read', {
        cell,
        read: { style: 'STREAM', texts: true },
        reader: second.readerRef,
        deadline_ms,
      }),
    ]);
    for (const d of [w.digest, relay.input, relay.output, r.digest]) {
      expect(d).toMatchObject({ end: 'closed', bytes: want.bytes, sha256: want.sha256 });
      expect(d.texts_sha256).toBe(want.texts_sha256);
    }
    expect(relay.input.role).toBe('relay-in');
    expect(relay.output.role).toBe('relay-out');
    const at = (d: Digest | typeof want) => d.texts.map((t) => t.at_byte).join(',');
    console.info(
      `relay ${style}: in ${at(relay.input)}, out ${at(relay.output)}, plan ${at(want)}`,
    );
  });
});
