// Evidence for a failure report (ReadSpec.expect): where the consumed bytes
// first depart from the stream the harness expects. It never changes what a
// reader does; verdicts rest on the harness's own digest.
import type { Mismatch } from './digest.ts';
import type { Slice } from './requests.ts';
import { seededSlice } from './seeded-stream.ts';

const PEEK = 8;

/** Expected bytes [start, start + length) of the slices concatenated; short past the end. */
export function expectedRange(slices: readonly Slice[], start: number, length: number): Buffer {
  const parts: Buffer[] = [];
  let base = 0;
  let want = length;
  let at = start;
  for (const slice of slices) {
    if (want === 0) break;
    const end = base + slice.length;
    if (at < end) {
      const take = Math.min(end - at, want);
      parts.push(seededSlice(slice.seed, slice.offset + (at - base), take));
      at += take;
      want -= take;
    }
    base = end;
  }
  return Buffer.concat(parts);
}

export class ExpectComparator {
  private readonly total: number;
  private consumed = 0;
  private chunks = 0;
  private found: Mismatch | undefined;

  constructor(private readonly slices: readonly Slice[]) {
    this.total = slices.reduce((sum, s) => sum + s.length, 0);
  }

  get mismatch(): Mismatch | undefined {
    return this.found;
  }

  feed(chunk: Uint8Array): void {
    const index = this.chunks++;
    const start = this.consumed;
    this.consumed += chunk.length;
    if (this.found || chunk.length === 0) return;

    const actual = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const expected = expectedRange(this.slices, start, actual.length);
    if (expected.length === actual.length && expected.equals(actual)) return;

    let i = 0;
    while (i < expected.length && expected[i] === actual[i]) i++;
    this.found = {
      offset: start + i,
      chunk: index,
      chunk_offset: i,
      expected_hex: expected.subarray(i, i + PEEK).toString('hex'),
      actual_hex: actual.subarray(i, i + PEEK).toString('hex'),
    };
  }

  /** A stream that ended short mismatches at its end. */
  finish(): Mismatch | undefined {
    if (!this.found && this.consumed < this.total) {
      this.found = {
        offset: this.consumed,
        chunk: this.chunks,
        chunk_offset: 0,
        expected_hex: expectedRange(this.slices, this.consumed, PEEK).toString('hex'),
        actual_hex: '',
      };
    }
    return this.found;
  }
}
