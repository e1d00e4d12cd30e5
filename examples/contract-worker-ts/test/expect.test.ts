import { describe, expect, it } from 'vitest';
import { ExpectCursor } from '../src/expect.ts';
import { seededBytes } from '../src/seeded-stream.ts';

const slices = [
  { seed: 'a', offset: 0, length: 40 },
  { seed: 'b', offset: 5, length: 10 },
];
const stream = Buffer.concat([seededBytes('a', 0, 40), seededBytes('b', 5, 10)]);

describe('contract worker: expect cursor', () => {
  it('reports nothing for the exact stream in any chunking', () => {
    const cursor = new ExpectCursor(slices);
    for (let at = 0; at < stream.length; at += 7) cursor.chunk(stream.subarray(at, at + 7));
    expect(cursor.finish()).toBeUndefined();
  });

  it('names the first differing byte, its chunk and both sides', () => {
    const bad = Buffer.from(stream);
    bad[43] ^= 1;
    const cursor = new ExpectCursor(slices);
    cursor.chunk(bad.subarray(0, 30));
    cursor.chunk(bad.subarray(30));
    expect(cursor.finish()).toEqual({
      offset: 43,
      chunk: 1,
      chunk_offset: 13,
      expected_hex: stream.subarray(43, 51).toString('hex'),
      actual_hex: bad.subarray(43, 51).toString('hex'),
    });
  });

  it('reports a short stream at its end and an overlong one at the expected end', () => {
    const short = new ExpectCursor(slices);
    short.chunk(stream.subarray(0, 20));
    expect(short.finish()).toMatchObject({ offset: 20, chunk: 1, actual_hex: '' });

    const long = new ExpectCursor(slices);
    long.chunk(Buffer.concat([stream, Buffer.from([1, 2])]));
    expect(long.finish()).toMatchObject({ offset: 50, expected_hex: '', actual_hex: '0102' });
  });
});
