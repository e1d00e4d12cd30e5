// Per-channel record of what crossed the broker, for the harness to explain
// a verdict ("the reader got a Close after 3 of 5 frames"). It holds sizes
// and close codes only: never payloads, never keys.

export type FrameSide = 'writer' | 'reader';
export type FrameType = 'text' | 'binary' | 'close';

export interface FrameRecord {
  /** Milliseconds since the channel was created. */
  t: number;
  /** The socket the frame crossed. */
  side: FrameSide;
  /** 'recv' = broker read it from `side`, 'send' = broker wrote it to `side`. */
  dir: 'recv' | 'send';
  type: FrameType;
  size: number;
  /** For close records: the code; 1006 means the socket dropped with no Close. */
  code?: number;
}

export class FrameLog {
  private readonly records: FrameRecord[] = [];
  private start = 0;
  /** Records pushed out by the limit, oldest first. */
  dropped = 0;

  constructor(
    private readonly origin: number,
    private readonly limit: number,
  ) {}

  add(side: FrameSide, dir: 'recv' | 'send', type: FrameType, size: number, code?: number) {
    const record: FrameRecord = { t: Date.now() - this.origin, side, dir, type, size };
    if (code !== undefined) record.code = code;

    // A ring buffer keeps the newest records: the end of a stream is where
    // truncation and close codes show up.
    if (this.records.length < this.limit) {
      this.records.push(record);
      return;
    }
    if (this.limit === 0) {
      this.dropped++;
      return;
    }
    this.records[this.start] = record;
    this.start = (this.start + 1) % this.limit;
    this.dropped++;
  }

  list(): FrameRecord[] {
    return [...this.records.slice(this.start), ...this.records.slice(0, this.start)];
  }
}
