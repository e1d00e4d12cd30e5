// The raw peer's own parts, without an engine: frame codec (masking, 7/16/64-bit
// lengths, fragmentation, streaming decode), the seeded generator against the
// golden vectors, the upgrade's accept value, and the frame log's bounds.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  encodeHeader,
  FrameDecoder,
  type FrameHeader,
  OPCODE,
} from '../harness/raw-peer/frame-codec.ts';
import { FrameLog } from '../harness/raw-peer/frame-log.ts';
import { acceptFor } from '../harness/raw-peer/handshake.ts';
import { maskInPlace, seededStream } from '../harness/raw-peer/index.ts';
import { chunkSizes, fragmentSizes } from '../harness/raw-peer/ops.ts';
import { seededSlice } from '../harness/seeded-stream.ts';

interface Decoded extends FrameHeader {
  masked: boolean;
  payload: Buffer;
  pieces: number;
}

function decodeAll(bytes: Buffer, step = bytes.length): Decoded[] {
  const frames: Decoded[] = [];
  let parts: Buffer[] = [];
  let header: (FrameHeader & { masked: boolean }) | undefined;
  const decoder = new FrameDecoder({
    onHeader: (h) => {
      header = h;
      parts = [];
    },
    onPayload: (piece) => parts.push(Buffer.from(piece)),
    onFrameEnd: () => {
      const h = header as FrameHeader & { masked: boolean };
      frames.push({ ...h, payload: Buffer.concat(parts), pieces: parts.length });
    },
  });
  // Copies, because the decoder unmasks in place and the caller's bytes must survive.
  for (let at = 0; at < bytes.length; at += step) {
    decoder.push(Buffer.from(bytes.subarray(at, at + step)));
  }
  return frames;
}

describe('frame codec', () => {
  it('picks 7-bit, 16-bit and 64-bit lengths at 125/126 and 65535/65536', () => {
    const head = (length: number) => encodeHeader({ fin: true, rsv: 0, opcode: 2, length });
    expect(head(125)).toEqual(Buffer.from([0x82, 125]));
    expect(head(126)).toEqual(Buffer.from([0x82, 126, 0, 126]));
    expect(head(65535)).toEqual(Buffer.from([0x82, 126, 0xff, 0xff]));
    expect(head(65536)).toEqual(Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]));
    const big = head(2 ** 32 + 5);
    expect([...big]).toEqual([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 5]);
  });

  it('encodes FIN, RSV bits, opcode and the mask bit with its key', () => {
    const key = Buffer.from([1, 2, 3, 4]);
    const h = encodeHeader({ fin: false, rsv: 4 | 1, opcode: 0, length: 3, maskKey: key });
    expect([...h]).toEqual([0x50, 0x83, 1, 2, 3, 4]);
  });

  it('masks per RFC 6455 §5.3 and unmasks back, at any offset and alignment', () => {
    const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
    // The RFC's example: "Hello" masked with 37 fa 21 3d.
    const header = { fin: true, rsv: 0, opcode: 1, maskKey: key };
    const hello = encodeFrame(header, Buffer.from('Hello'));
    expect(hello.toString('hex')).toBe('818537fa213d7f9f4d5158');

    const data = randomBytes(1001);
    for (const offset of [0, 1, 2, 3, 7]) {
      const ref = Buffer.from(data);
      for (let i = 0; i < ref.length; i++) ref[i] ^= key[(offset + i) & 3];
      // An odd byteOffset exercises the unaligned head and tail paths.
      const backing = Buffer.alloc(data.length + 3);
      const view = backing.subarray(3);
      data.copy(view);
      maskInPlace(view, key, offset);
      expect(view.equals(ref)).toBe(true);
      maskInPlace(view, key, offset);
      expect(view.equals(data)).toBe(true);
    }
  });

  it('round-trips masked and unmasked frames of every length class, fed in any pieces', () => {
    const sizes = [0, 1, 125, 126, 65535, 65536, 70000];
    const frames = sizes.map((n, i) => {
      const maskKey = i % 2 === 0 ? randomBytes(4) : undefined;
      return { payload: randomBytes(n), frame: { fin: true, rsv: 0, opcode: 2, maskKey } };
    });
    const wire = Buffer.concat(frames.map((f) => encodeFrame(f.frame, f.payload)));
    for (const step of [1, 3, 1000, wire.length]) {
      const decoded = decodeAll(wire, step);
      expect(decoded.map((d) => d.length)).toEqual(sizes);
      decoded.forEach((d, i) => {
        expect(d.payload.equals(frames[i].payload)).toBe(true);
        expect(d.masked).toBe(i % 2 === 0);
      });
    }
  });

  it('streams a big payload out in pieces instead of one buffer', () => {
    const payload = randomBytes(300_000);
    const wire = encodeFrame({ fin: true, rsv: 0, opcode: 2 }, payload);
    const [frame] = decodeAll(wire, 16 * 1024);
    expect(frame.payload.equals(payload)).toBe(true);
    expect(frame.pieces).toBeGreaterThan(10);
  });

  it('keeps fragmentation visible: FIN, continuation and control frames in between', () => {
    const key = randomBytes(4);
    const wire = Buffer.concat([
      encodeFrame({ fin: false, rsv: 0, opcode: OPCODE.text, maskKey: key }, Buffer.from([0xf0])),
      encodeFrame({ fin: true, rsv: 0, opcode: OPCODE.ping }, Buffer.from('p')),
      encodeFrame({ fin: true, rsv: 0, opcode: 0 }, Buffer.from([0x9f, 0x98, 0x80])),
    ]);
    const decoded = decodeAll(wire, 2);
    expect(decoded.map((d) => [d.opcode, d.fin, d.length])).toEqual([
      [OPCODE.text, false, 1],
      [OPCODE.ping, true, 1],
      [0, true, 3],
    ]);
    const text = Buffer.concat([decoded[0].payload, decoded[2].payload]).toString('utf8');
    expect(text).toBe('😀');
  });
});

describe('raw peer helpers', () => {
  it('computes Sec-WebSocket-Accept as in RFC 6455 §1.3', () => {
    expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('reproduces the golden vectors and the harness generator', () => {
    const golden = JSON.parse(readFileSync('fixtures/golden-vectors.json', 'utf8')) as {
      vectors: { seed: string; offset: number; length: number; sha256: string }[];
    };
    for (const v of golden.vectors) {
      const bytes = seededStream(v.seed).slice(v.offset, v.length);
      expect(createHash('sha256').update(bytes).digest('hex'), v.seed).toBe(v.sha256);
    }
    // Seeds whose counter lands in one or two tail blocks, and past a full block.
    for (const seed of [
      '',
      's',
      'x'.repeat(47),
      'x'.repeat(48),
      'y'.repeat(64),
      'é😀'.repeat(30),
    ]) {
      for (const [offset, length] of [
        [0, 97],
        [31, 70],
        [4095, 300],
      ]) {
        const fast = seededStream(seed).slice(offset, length);
        expect(fast.equals(seededSlice(seed, offset, length)), `${seed.length}/${offset}`).toBe(
          true,
        );
      }
    }
  });

  it('splits bytes ops and fragments the way the ops say', () => {
    expect(chunkSizes(0, 0)).toEqual([0]);
    expect(chunkSizes(10, 0)).toEqual([10]);
    expect(chunkSizes(10, 4)).toEqual([4, 4, 2]);
    expect(fragmentSizes(10, [3, 3])).toEqual([3, 3, 4]);
    expect(fragmentSizes(6, [3, 3])).toEqual([3, 3]);
    expect(() => fragmentSizes(5, [3, 3])).toThrow(/past/);
  });

  it('bounds the frame log to its head and tail and counts the rest', () => {
    const log = new FrameLog(4);
    for (let i = 0; i < 10; i++) log.add({ dir: 'in', type: 'binary', size: i, fin: true });
    const view = log.view();
    expect(view.entries.map((e) => e.size)).toEqual([0, 1, 8, 9]);
    expect(view.omitted).toBe(6);
    expect(view.total).toBe(10);
  });
});
