// The seeded byte stream of the contract: block i of seed s is
// SHA-256(utf8(s) || u64be(i)); a slice is [offset, offset + length) of the
// blocks concatenated. Only node:crypto, so any Node can produce it.
import { createHash } from 'node:crypto';

const BLOCK = 32;

export function seededBytes(seed: string, offset: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  const seedUtf8 = Buffer.from(seed, 'utf8');
  const index = Buffer.alloc(8);
  let block = Math.floor(offset / BLOCK);
  let from = offset % BLOCK;
  let filled = 0;
  while (filled < length) {
    index.writeBigUInt64BE(BigInt(block));
    const digest = createHash('sha256').update(seedUtf8).update(index).digest();
    const take = Math.min(BLOCK - from, length - filled);
    digest.copy(out, filled, from, from + take);
    filled += take;
    from = 0;
    block += 1;
  }
  return out;
}
