import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forEachPiece, seededSlice } from '../harness/seeded-stream.ts';

const golden = JSON.parse(readFileSync('fixtures/golden-vectors.json', 'utf8')) as {
  vectors: {
    seed: string;
    offset: number;
    length: number;
    sha256: string;
    first_bytes_hex: string;
  }[];
};

describe('seeded stream (harness generator)', () => {
  it.each(golden.vectors)('reproduces golden slice $seed @$offset +$length', (v) => {
    const bytes = seededSlice(v.seed, v.offset, v.length);
    expect(bytes.length).toBe(v.length);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(v.sha256);
    expect(bytes.subarray(0, 8).toString('hex')).toBe(v.first_bytes_hex);
  });

  it('is a stream: adjacent slices concatenate to the larger slice', () => {
    const whole = seededSlice('concat', 7, 100_000);
    const parts = Buffer.concat([seededSlice('concat', 7, 33), seededSlice('concat', 40, 99_967)]);
    expect(parts.equals(whole)).toBe(true);
  });

  it('feeds pieces that add up to the slices', () => {
    const seen: Buffer[] = [];
    forEachPiece(
      [
        { seed: 'a', offset: 0, length: 10 },
        { seed: 'b', offset: 5, length: 70 },
      ],
      (b) => seen.push(b),
      32,
    );
    const expected = Buffer.concat([seededSlice('a', 0, 10), seededSlice('b', 5, 70)]);
    expect(Buffer.concat(seen).equals(expected)).toBe(true);
    expect(Math.max(...seen.map((b) => b.length))).toBeLessThanOrEqual(32);
  });
});
