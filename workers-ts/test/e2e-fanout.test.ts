// Fan-out end to end: one conformance::ts::write call drives writers on three
// channels (`writer`, `writer_2`, `writer_3`), and the test client reads each
// channel with its own SDK reader, as the harness's driver would.
import type { ChannelReader } from 'iii-sdk/channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Digest, sha256Hex, textsSha256 } from '../src/digest.ts';
import { type Cluster, startCluster } from './support/cluster.ts';
import { expectedFor, type PlanOp } from './support/expectation.ts';
import { engineAvailable, engineKind } from './support/processes.ts';
import { rawRead, textPositions } from './support/raw-channel.ts';

const OPS: PlanOp[] = [
  { text: { value: 'start' } },
  { bytes: { seed: 'fanout', length: 70_000, chunk: 16_384 } },
  { text: { value: '🚀 mid' } },
  { bytes: { seed: 'fanout', offset: 70_000, length: 1 } },
  { text: { value: 'end' } },
  { close: {} },
];
const want = expectedFor(OPS);
const STYLES = ['AWAITED', 'FIRE_AND_FORGET'] as const;

interface FanoutResult {
  digest: Digest;
  fanout: Digest[];
}

/** What a user of the SDK gets from a reader: every byte and every text. */
async function readWithSdk(reader: ChannelReader): Promise<{ sha256: string; texts: string[] }> {
  const texts: string[] = [];
  reader.onMessage((text) => texts.push(text));
  const bytes = await reader.readAll();
  return { sha256: sha256Hex(bytes), texts };
}

describe.skipIf(!engineAvailable)(`fan-out from the ts worker via ${engineKind}`, () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  const channels = (n: number) => Promise.all(Array.from({ length: n }, () => c.channel()));

  function write(cell: string, style: string, refs: Record<string, unknown>) {
    const plan = { style, ops: OPS };
    return c.call<FanoutResult>('write', { cell, plan, deadline_ms: 15_000, fanout: 3, ...refs });
  }

  it.each(STYLES)('%s: one plan onto 3 channels, every reader byte-exact', async (style) => {
    const [a, b, d] = await channels(3);
    const refs = { writer: a.writerRef, writer_2: b.writerRef, writer_3: d.writerRef };
    const [result, ...reads] = await Promise.all([
      write(`fanout/3 ${style}`, style, refs),
      ...[a, b, d].map((ch) => readWithSdk(ch.reader)),
    ]);

    expect(result.fanout).toHaveLength(2);
    for (const digest of [result.digest, ...result.fanout]) {
      expect(digest).toMatchObject({ role: 'writer', end: 'closed', bytes: want.bytes });
      expect(digest).toMatchObject({ sha256: want.sha256, texts_sha256: want.texts_sha256 });
      expect(digest.texts).toEqual(want.texts);
      expect(digest.chunks).toBe(want.writes);
    }
    for (const read of reads) {
      expect(read.sha256).toBe(want.sha256);
      expect(textsSha256(read.texts)).toBe(want.texts_sha256);
    }
  });

  it('AWAITED: every channel carries each text exactly where the plan put it', async () => {
    const [a, b, d] = await channels(3);
    const refs = { writer: a.writerRef, writer_2: b.writerRef, writer_3: d.writerRef };
    const [result, ...wires] = await Promise.all([
      write('fanout/3 wire', 'AWAITED', refs),
      ...[a, b, d].map((ch) => rawRead(c.wsUrl, ch.readerRef, 15_000)),
    ]);
    expect(result.digest.end).toBe('closed');
    for (const frames of wires) {
      if (frames === 'timeout') throw new Error('a raw reader saw no close');
      const binary = Buffer.concat(frames.filter((f) => !f.text).map((f) => f.data));
      expect(sha256Hex(binary)).toBe(want.sha256);
      expect(textPositions(frames).map((t) => t.at_byte)).toEqual(want.texts.map((t) => t.at_byte));
    }
  });

  it('a writer whose connect is refused ends with an error; the other two deliver', async () => {
    const [a, b, d] = await channels(3);
    const refused = { ...b.writerRef, access_key: 'not-the-key' };
    const refs = { writer: a.writerRef, writer_2: refused, writer_3: d.writerRef };
    const [result, ...reads] = await Promise.all([
      write('fanout/3 refused', 'AWAITED', refs),
      ...[a, d].map((ch) => readWithSdk(ch.reader)),
    ]);
    const [second, third] = result.fanout;
    expect(second).toMatchObject({ end: 'error', error: { stage: 'connect' } });
    expect(JSON.stringify(second)).not.toContain('not-the-key');
    for (const digest of [result.digest, third]) {
      expect(digest).toMatchObject({ end: 'closed', bytes: want.bytes, sha256: want.sha256 });
    }
    for (const read of reads) {
      expect(read.sha256).toBe(want.sha256);
      expect(textsSha256(read.texts)).toBe(want.texts_sha256);
    }
  });

  it('rejects a fan-out whose refs are missing, naming the first one', async () => {
    const [a, b] = await channels(2);
    const err = await write('fanout/missing', 'AWAITED', {
      writer: a.writerRef,
      writer_2: b.writerRef,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invocation_failed' });
    expect((err as Error).message).toContain(
      'INVALID_REQUEST: writer_3: missing write channel ref',
    );
  });
});
