// Evidence for a report (ReadSpec.expect, worker-contract.md): where the
// received binary stream first departs from the seeded slices the harness
// expects. Fed piece by piece as frames arrive, so nothing is buffered; it
// never changes what the reader does.
import type { Mismatch, Slice } from '../schema/types.ts';
import { seededStream } from './seeded.ts';

const PEEK = 8;

/** Expected bytes [start, start + length) of the slices end to end; short past their end. */
export function expectedRange(slices: readonly Slice[], start: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let filled = 0;
  let base = 0;
  for (const slice of slices) {
    const end = base + slice.length;
    const at = start + filled;
    if (filled < length && at < end) {
      const take = Math.min(end - at, length - filled);
      seededStream(slice.seed).fill(out, filled, slice.offset + (at - base), take);
      filled += take;
    }
    base = end;
  }
  return out.subarray(0, filled);
}

export class ExpectComparator {
  readonly total: number;
  private consumed = 0;
  private found: Mismatch | undefined;
  /** Received bytes from the mismatch on, up to PEEK, gathered across frames. */
  private peek = Buffer.alloc(0);

  constructor(private readonly slices: readonly Slice[]) {
    this.total = slices.reduce((sum, s) => sum + s.length, 0);
  }

  get mismatch(): Mismatch | undefined {
    return this.found;
  }

  /** `piece` starts `inMessage` bytes into binary message number `message`. */
  feed(piece: Uint8Array, message: number, inMessage: number): void {
    const start = this.consumed;
    this.consumed += piece.length;
    const actual = Buffer.from(piece.buffer, piece.byteOffset, piece.length);
    if (this.found) {
      this.extendPeek(actual);
      return;
    }
    if (piece.length === 0) return;

    const expected = expectedRange(this.slices, start, actual.length);
    if (expected.length === actual.length && expected.equals(actual)) return;

    let i = 0;
    while (i < expected.length && expected[i] === actual[i]) i++;
    this.peek = Buffer.from(actual.subarray(i, i + PEEK));
    this.found = {
      offset: start + i,
      chunk: message,
      chunk_offset: inMessage + i,
      // Both sides show up to 8 bytes even when the bad byte ends its frame.
      expected_hex: expectedRange(this.slices, start + i, PEEK).toString('hex'),
      actual_hex: this.peek.toString('hex'),
    };
  }

  private extendPeek(actual: Buffer): void {
    if (!this.found || this.peek.length >= PEEK || actual.length === 0) return;
    this.peek = Buffer.concat([this.peek, actual.subarray(0, PEEK - this.peek.length)]);
    this.found.actual_hex = this.peek.toString('hex');
  }

  /** A stream that ended short mismatches at its end, in the message that would come next. */
  finish(messages: number): Mismatch | undefined {
    if (!this.found && this.consumed < this.total) {
      this.found = {
        offset: this.consumed,
        chunk: messages,
        chunk_offset: 0,
        expected_hex: expectedRange(this.slices, this.consumed, PEEK).toString('hex'),
        actual_hex: '',
      };
    }
    return this.found;
  }
}
