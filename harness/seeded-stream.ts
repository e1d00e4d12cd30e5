// The harness's own generators of the seeded byte stream, written apart from
// every worker's on purpose: expectations must not share code with what they
// check. seededSlice() is the plain node:crypto reading of the definition;
// forEachPiece() feeds expectations from the raw peer's much faster plain-JS
// SHA-256 (raw-peer/seeded.ts), and the tests hold the two against each other
// and against the golden vectors.
import { createHash } from 'node:crypto';
import { seededStream } from './raw-peer/seeded.ts';

const BLOCK = 32;

export interface Slice {
  seed: string;
  offset: number;
  length: number;
}

/** Bytes [offset, offset + length) of the stream of `seed`. */
export function seededSlice(seed: string, offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  const seedBytes = Buffer.from(seed, 'utf8');
  const counter = Buffer.alloc(8);
  let written = 0;
  let block = Math.floor(offset / BLOCK);
  let skip = offset - block * BLOCK;
  while (written < length) {
    counter.writeBigUInt64BE(BigInt(block));
    const digest = createHash('sha256').update(seedBytes).update(counter).digest();
    written += digest.copy(out, written, skip, Math.min(BLOCK, skip + length - written));
    skip = 0;
    block += 1;
  }
  return out;
}

/** Feeds the concatenated slices to `sink` in pieces of at most `piece` bytes. */
export function forEachPiece(
  slices: readonly Slice[],
  sink: (bytes: Buffer) => void,
  piece = 1 << 20,
): void {
  for (const slice of slices) {
    const stream = seededStream(slice.seed);
    for (let at = 0; at < slice.length; at += piece) {
      const length = Math.min(piece, slice.length - at);
      const out = Buffer.allocUnsafe(length);
      stream.fill(out, 0, slice.offset + at, length);
      sink(out);
    }
  }
}
