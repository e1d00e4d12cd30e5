// What crossed the channel socket, frame by frame: types, sizes, FIN and
// close codes only. Payloads never enter it (beyond an 8-byte close or ping
// body, which is not kept either) and neither do keys, so a report can quote
// it whole. A stream of a million tiny frames keeps its first and last
// entries and counts the ones in between.

export type FrameType = 'text' | 'binary' | 'continuation' | 'close' | 'ping' | 'pong' | 'other';

export interface FrameLogEntry {
  dir: 'out' | 'in';
  type: FrameType;
  size: number;
  fin: boolean;
  /** Close frames: the status code, 1005 when the frame carried none. */
  closeCode?: number;
  /** Only when not 0: the RSV1-3 bits as one number (4 = RSV1). */
  rsv?: number;
  /** Only for 'other': the raw opcode. */
  opcode?: number;
  /** Only when it breaks the rule for its direction (client frames masked, server not). */
  masked?: boolean;
}

export interface FrameLogView {
  entries: FrameLogEntry[];
  /** Entries left out between the head and the tail of the log. */
  omitted: number;
  total: number;
}

const TYPES: Record<number, FrameType> = {
  0: 'continuation',
  1: 'text',
  2: 'binary',
  8: 'close',
  9: 'ping',
  10: 'pong',
};

export const frameType = (opcode: number): FrameType => TYPES[opcode] ?? 'other';

/** An entry for one frame; `masked` is noted only where it breaks the rule for `dir`. */
export function logEntry(
  dir: 'in' | 'out',
  h: { opcode: number; fin: boolean; rsv: number },
  size: number,
  masked: boolean,
  closeCode?: number,
): FrameLogEntry {
  const entry: FrameLogEntry = { dir, type: frameType(h.opcode), size, fin: h.fin };
  if (closeCode !== undefined) entry.closeCode = closeCode;
  if (h.rsv !== 0) entry.rsv = h.rsv;
  if (entry.type === 'other') entry.opcode = h.opcode;
  if (masked !== (dir === 'out')) entry.masked = masked;
  return entry;
}

export class FrameLog {
  private readonly head: FrameLogEntry[] = [];
  private readonly tail: FrameLogEntry[] = [];
  private tailAt = 0;
  private count = 0;

  constructor(private readonly limit = 4096) {}

  add(entry: FrameLogEntry): void {
    this.count++;
    const half = Math.max(1, Math.floor(this.limit / 2));
    if (this.head.length < half) {
      this.head.push(entry);
      return;
    }
    // A ring for the newest entries: the end of a stream is what explains it.
    if (this.tail.length < half) this.tail.push(entry);
    else this.tail[this.tailAt] = entry;
    this.tailAt = (this.tailAt + 1) % half;
  }

  view(): FrameLogView {
    const half = Math.max(1, Math.floor(this.limit / 2));
    const tail =
      this.tail.length < half
        ? [...this.tail]
        : [...this.tail.slice(this.tailAt), ...this.tail.slice(0, this.tailAt)];
    const entries = [...this.head, ...tail];
    return { entries, omitted: this.count - entries.length, total: this.count };
  }
}
