// Text and binary interleaved: what the ts worker puts on the wire (seen by a
// raw WebSocket reader, not an SDK) and what it surfaces as a reader (fed by a
// raw WebSocket writer that sends exactly the frames we choose).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../src/digest.ts';
import { type Cluster, startCluster } from './support/cluster.ts';
import { expectedFor, type PlanOp, referenceSlice } from './support/expectation.ts';
import { engineAvailable } from './support/processes.ts';
import { type Frame, rawRead, rawWrite, textPositions } from './support/raw-channel.ts';

const INTERLEAVED: PlanOp[] = [
  { text: { value: 'first' } },
  { bytes: { seed: 'inter', length: 1000 } },
  { text: { value: '🚀 four-byte 𝄞 and ä' } },
  { bytes: { seed: 'inter', offset: 1000, length: 70_000, chunk: 1000 } },
  { text: { value: '' } },
  { text: { value: 'ab🚀', repeat: 50_000 } },
  { bytes: { seed: 'inter', offset: 71_000, length: 1 } },
  { text: { value: 'last' } },
  { close: {} },
];
const want = expectedFor(INTERLEAVED);
const wantTexts = want.texts.map((t) => ({ sha256: t.sha256, length: t.length }));

describe.skipIf(!engineAvailable)('interleaved text and binary', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  async function writeToRawReader(style: string) {
    const ch = await c.channel();
    const plan = { style, ops: INTERLEAVED };
    const [w, frames] = await Promise.all([
      c.call<{ digest: Digest }>('write', {
        cell: `interleave ${style}`,
        plan,
        writer: ch.writerRef,
      }),
      rawRead(c.wsUrl, ch.readerRef, 20_000),
    ]);
    if (frames === 'timeout') throw new Error('raw reader saw no close');
    return { writer: w.digest, frames };
  }

  it('AWAITED: the wire carries every text exactly where the plan put it', async () => {
    const { writer, frames } = await writeToRawReader('AWAITED');
    expect(writer).toMatchObject({ end: 'closed', bytes: want.bytes, sha256: want.sha256 });
    expect(writer.texts).toEqual(want.texts);
    expect(writer.texts_sha256).toBe(want.texts_sha256);
    const onWire = textPositions(frames).map((t) => t.at_byte);
    expect(onWire).toEqual(want.texts.map((t) => t.at_byte));
    // The SDK splits binary into frames of at most 64 KiB; texts are whole.
    expect(
      Math.max(...frames.filter((f) => !f.text).map((f) => f.data.length)),
    ).toBeLessThanOrEqual(65_536);
  });

  // Fire-and-forget: sendMessage() goes straight to the socket while
  // stream.write() queues in the Writable, so texts may overtake binary.
  // Bytes and texts must still all arrive; the order is recorded as found.
  it('FIRE_AND_FORGET: all bytes and texts arrive; positions are recorded', async () => {
    const { writer, frames } = await writeToRawReader('FIRE_AND_FORGET');
    expect(writer.texts).toEqual(want.texts);
    const binary = Buffer.concat(frames.filter((f) => !f.text).map((f) => f.data));
    expect(binary.length).toBe(want.bytes);
    const texts = textPositions(frames);
    expect(texts.map((t) => Buffer.byteLength(t.text))).toEqual(want.texts.map((t) => t.length));
    const moved = texts.filter((t, i) => t.at_byte !== want.texts[i].at_byte);
    console.info(
      `fire-and-forget wire positions: ${texts.map((t) => t.at_byte).join(',')} ` +
        `(plan: ${want.texts.map((t) => t.at_byte).join(',')}; ${moved.length} moved)`,
    );
  });

  function planFrames(): Frame[] {
    const frames: Frame[] = [];
    for (const op of INTERLEAVED) {
      if ('text' in op) {
        const value = op.text.value.repeat(Math.max(1, op.text.repeat ?? 0));
        frames.push({ text: true, data: Buffer.from(value, 'utf8') });
      } else if ('bytes' in op) {
        const { seed, offset = 0, length } = op.bytes;
        frames.push({ text: false, data: referenceSlice(seed, offset, length) });
      }
    }
    return frames;
  }

  it.each(['READ_ALL', 'STREAM'])('%s reader: texts in order, bytes exact', async (style) => {
    const ch = await c.channel();
    const read = { style, texts: true };
    const [r] = await Promise.all([
      c.call<{ digest: Digest }>('read', {
        cell: `interleave ${style}`,
        read,
        reader: ch.readerRef,
      }),
      rawWrite(c.wsUrl, ch.writerRef, planFrames()),
    ]);
    const reader = r.digest;
    expect(reader).toMatchObject({ end: 'closed', bytes: want.bytes, sha256: want.sha256 });
    expect(reader.texts.map((t) => ({ sha256: t.sha256, length: t.length }))).toEqual(wantTexts);
    expect(reader.texts_sha256).toBe(want.texts_sha256);
    // Where each text callback ran relative to the bytes consumed: the SDK
    // runs callbacks on arrival while binary waits in the Readable buffer.
    console.info(
      `${style} reader at_byte: ${reader.texts.map((t) => t.at_byte).join(',')} ` +
        `(wire: ${want.texts.map((t) => t.at_byte).join(',')})`,
    );
  });

  it('without the text callback, texts are not collected', async () => {
    const ch = await c.channel();
    const read = { style: 'STREAM', texts: false };
    const [r] = await Promise.all([
      c.call<{ digest: Digest }>('read', { cell: 'interleave no-cb', read, reader: ch.readerRef }),
      rawWrite(c.wsUrl, ch.writerRef, planFrames()),
    ]);
    expect(r.digest).toMatchObject({ end: 'closed', bytes: want.bytes, texts: [] });
  });

  // Notes §4.6: the Node reader drops empty binary frames (Readable.push of
  // an empty buffer adds nothing), where Python and Rust yield an empty chunk.
  it('empty binary frames are not surfaced as chunks', async () => {
    const ch = await c.channel();
    const frames: Frame[] = [
      { text: false, data: Buffer.alloc(0) },
      { text: false, data: Buffer.from('abc') },
      { text: false, data: Buffer.alloc(0) },
    ];
    const read = { style: 'STREAM', texts: true };
    const [r] = await Promise.all([
      c.call<{ digest: Digest }>('read', { cell: 'frames/empty', read, reader: ch.readerRef }),
      rawWrite(c.wsUrl, ch.writerRef, frames),
    ]);
    expect(r.digest).toMatchObject({ end: 'closed', bytes: 3, empty_chunks: 0 });
  });
});
