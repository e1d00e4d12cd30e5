// Evidence for the report: where the consumed bytes first departed from the
// stream the harness expects (ReadSpec.expect). It never changes what the
// reader does or reports otherwise.
import type { Slice } from './schema.ts';
import { seededBytes } from './seeded-stream.ts';

export interface Mismatch {
  offset: number;
  chunk: number;
  chunk_offset: number;
  expected_hex: string;
  actual_hex: string;
}

const HEX_BYTES = 8;

export class ExpectCursor {
  private readonly total: number;
  private offset = 0;
  private chunkIndex = 0;
  found?: Mismatch;

  constructor(private readonly slices: readonly Slice[]) {
    this.total = slices.reduce((n, s) => n + (s.length ?? 0), 0);
  }

  /** Bytes [from, from + length) of the expected stream, clipped at its end. */
  private expected(from: number, length: number): Buffer {
    const parts: Buffer[] = [];
    let base = 0;
    for (const s of this.slices) {
      const len = s.length ?? 0;
      const lo = Math.max(from, base);
      const hi = Math.min(from + length, base + len);
      if (lo < hi) parts.push(seededBytes(s.seed ?? '', (s.offset ?? 0) + lo - base, hi - lo));
      base += len;
    }
    return Buffer.concat(parts);
  }

  /** Feed the next chunk as surfaced by the SDK. */
  chunk(data: Buffer): void {
    const index = this.chunkIndex++;
    if (this.found || data.length === 0) {
      this.offset += data.length;
      return;
    }
    const want = this.expected(this.offset, data.length);
    const n = Math.min(want.length, data.length);
    let at = 0;
    while (at < n && want[at] === data[at]) at += 1;
    if (at < data.length) {
      const offset = this.offset + at;
      this.found = {
        offset,
        chunk: index,
        chunk_offset: at,
        expected_hex: this.expected(offset, HEX_BYTES).toString('hex'),
        actual_hex: data.subarray(at, at + HEX_BYTES).toString('hex'),
      };
    }
    this.offset += data.length;
  }

  /** At the end of the stream: a short stream mismatches where it stopped. */
  finish(): Mismatch | undefined {
    if (!this.found && this.offset < this.total) {
      this.found = {
        offset: this.offset,
        chunk: this.chunkIndex,
        chunk_offset: 0,
        expected_hex: this.expected(this.offset, HEX_BYTES).toString('hex'),
        actual_hex: '',
      };
    }
    return this.found;
  }
}
