// The contract's golden vectors: a generator bug must never pass for an
// interop bug, so every worker reproduces all of them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededBytes } from '../src/seeded-stream.ts';

const golden = JSON.parse(
  readFileSync(new URL('../../../fixtures/golden-vectors.json', import.meta.url), 'utf8'),
) as {
  vectors: {
    seed: string;
    offset: number;
    length: number;
    sha256: string;
    first_bytes_hex: string;
  }[];
};

describe('contract worker: seeded stream', () => {
  it.each(golden.vectors)('$seed [$offset, +$length)', (v) => {
    const bytes = seededBytes(v.seed, v.offset, v.length);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(v.sha256);
    expect(bytes.subarray(0, 8).toString('hex')).toBe(v.first_bytes_hex);
  });
});
