// The harness's own generator of the seeded byte stream. It is written apart
// from every worker's generator on purpose: expectations must not share code
// with the thing they check.
import { createHash } from 'node:crypto';

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
    for (let at = 0; at < slice.length; at += piece) {
      const length = Math.min(piece, slice.length - at);
      sink(seededSlice(slice.seed, slice.offset + at, length));
    }
  }
}
