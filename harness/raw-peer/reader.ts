// A reader that sees the channel socket frame by frame: exactly what the
// engine delivered (sizes, boundaries, continuations, control frames, the
// Close code), with binary payloads hashed and compared as they pass.
import { isUtf8 } from 'node:buffer';
import type { Digest, Slice } from '../schema/types.ts';
import type { DataSink } from './connection.ts';
import { RawDigest } from './digest.ts';
import { ExpectComparator } from './expect.ts';
import { type FrameHeader, OPCODE } from './frame-codec.ts';
import type { FrameLogView } from './frame-log.ts';
import { type ChannelRef, Deadline, type LineLog, openChannel, roleLogger } from './session.ts';
import { summarizeEnd } from './summary.ts';

export interface RawReadOptions {
  engineUrl: string;
  ref: ChannelRef;
  deadlineMs: number;
  cell: string;
  /** Evidence only: the stream the harness expects; the first departure is reported. */
  expect?: Slice[];
  startDelayMs?: number;
  /** Send Close 1000 and leave once this many binary bytes arrived (end "stopped"). */
  stopAfterBytes?: number;
  log?: LineLog;
}

export interface RawReadReport {
  digest: Digest;
  frames: FrameLogView;
  http?: { status: number; body: string };
  /** The engine's Close frame; code 1005 when it carried none. */
  close?: { code: number; reason: string };
  /** Whole messages (text and binary) delivered. */
  messages: number;
}

/** Like the engine's per-message limit; a text past it is not buffered further. */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;
/** How long a stopped reader waits for the engine to answer its Close. */
const STOP_GRACE_MS = 1000;

/**
 * Connects as the reader and records everything until the stream ends.
 * `chunks` are binary messages (continuations joined), texts are recorded
 * in order with `at_byte`. `end`: "closed" when a Close arrived (its code is
 * in `close`, 1005 for none; a recorded error such as INVALID_UTF8 turns it
 * into "error"), "error" when the TCP connection ended without a Close
 * (NO_CLOSE), the engine broke the protocol (PROTOCOL_ERROR, answered with
 * 1002) or the upgrade was refused (HTTP_<status>), "stopped" after
 * `stopAfterBytes` (counted at the frame piece that crosses it), "timeout"
 * at the deadline.
 */
export async function rawRead(opts: RawReadOptions): Promise<RawReadReport> {
  const log = roleLogger(opts.cell, 'reader', opts.log);
  const deadline = new Deadline(opts.deadlineMs);
  const digest = new RawDigest('reader');
  if (opts.startDelayMs) await deadline.sleep(opts.startDelayMs);

  const assembler = new MessageAssembler(digest, opts, log);
  const opened = await openChannel(opts, 'read', deadline, digest, log, assembler);
  const conn = opened.conn;
  if (!conn) {
    digest.finish(deadline.remaining === 0 ? 'timeout' : 'error');
    const frames = { entries: [], omitted: 0, total: 0 };
    return { digest: digest.build(), frames, messages: 0, ...opened };
  }

  const end = await deadline.race(Promise.race([conn.ended, assembler.stopped])).catch(() => {
    log(`deadline of ${opts.deadlineMs} ms passed`);
    conn.destroy();
    digest.finish('timeout');
    return undefined;
  });

  const stopped = end === 'stopped';
  if (stopped) {
    await conn.sendClose(1000, 'stopped').catch(() => {});
    conn.endWithoutClose();
    digest.finish('stopped');
    await new Deadline(STOP_GRACE_MS).race(conn.ended).catch(() => conn.destroy());
  } else if (end) {
    assembler.finishOpenMessage();
    if (end.how !== 'close') {
      const summary = summarizeEnd(end);
      digest.fail(summary.code, summary.message, 'read');
    }
    digest.finish(end.how === 'close' ? 'closed' : 'error');
  }
  // A stopped reader is short on purpose; any other short stream mismatches at its end.
  const comparator = assembler.comparator;
  if (comparator) {
    digest.mismatch = stopped ? comparator.mismatch : comparator.finish(assembler.binaryMessages);
  }

  const built = digest.build();
  const closeNote = conn.closeReceived ? ` Close ${conn.closeReceived.code}` : '';
  log(`ended ${built.end}${closeNote}: ${built.bytes} B in ${built.chunks} binary messages`);
  const report: RawReadReport = {
    digest: built,
    frames: conn.frames.view(),
    messages: assembler.messages,
  };
  if (conn.closeReceived) report.close = conn.closeReceived;
  return report;
}

/** Turns data frames into messages: binary hashed in passing, text buffered until FIN. */
class MessageAssembler implements DataSink {
  readonly comparator: ExpectComparator | undefined;
  readonly stopped: Promise<'stopped'>;
  messages = 0;
  binaryMessages = 0;
  private textMessages = 0;
  private kind: 'binary' | 'text' | undefined;
  private size = 0;
  private text: Buffer[] = [];
  private atByte = 0;
  private halted = false;
  private stop: () => void = () => {};

  constructor(
    private readonly digest: RawDigest,
    private readonly opts: RawReadOptions,
    private readonly log: LineLog,
  ) {
    this.comparator = opts.expect ? new ExpectComparator(opts.expect) : undefined;
    this.stopped = new Promise((resolve) => {
      this.stop = () => resolve('stopped');
    });
  }

  onDataHeader(h: FrameHeader): void {
    if (this.halted || h.opcode === OPCODE.continuation) return;
    this.kind = h.opcode === OPCODE.binary ? 'binary' : 'text';
    this.size = 0;
    this.text = [];
    this.atByte = this.digest.byteCount;
  }

  onDataPayload(piece: Buffer): void {
    if (this.halted) return;
    if (this.kind === 'binary') {
      this.digest.addBytes(piece);
      this.comparator?.feed(piece, this.binaryMessages, this.size);
    } else if (this.size + piece.length <= MAX_TEXT_BYTES) {
      // A copy: the piece is a view into the socket's buffer.
      this.text.push(Buffer.from(piece));
    } else if (this.text.length > 0) {
      this.text = [];
      this.digest.fail('TEXT_TOO_LARGE', `text message #${this.messages} passed 64 MiB`, 'read');
    }
    this.size += piece.length;

    const stopAt = this.opts.stopAfterBytes ?? 0;
    if (stopAt > 0 && this.digest.byteCount >= stopAt) {
      this.log(`stopping after ${this.digest.byteCount} B`);
      this.halted = true;
      this.stop();
    }
  }

  onDataEnd(h: FrameHeader): void {
    if (this.halted || !h.fin) return;
    const index = this.messages++;
    if (this.kind === 'binary') {
      this.digest.addChunk(this.size);
      this.binaryMessages++;
    } else {
      const textIndex = this.textMessages++;
      const utf8 = Buffer.concat(this.text);
      if (isUtf8(utf8)) {
        this.digest.addText(utf8, this.atByte);
      } else {
        const what = `message #${index} (text #${textIndex}, ${this.size} B) is not valid UTF-8`;
        this.log(what);
        this.digest.fail('INVALID_UTF8', what, 'read');
      }
    }
    this.kind = undefined;
    this.text = [];
  }

  /** A Close between fragments leaves a message unfinished: say so. */
  finishOpenMessage(): void {
    if (this.kind === undefined || this.halted) return;
    const what = `${this.kind} message #${this.messages} unfinished (${this.size} B) at the end`;
    this.digest.fail('INCOMPLETE_MESSAGE', what, 'read');
  }
}
