// One channel: a bounded FIFO of WebSocket messages between one writer
// socket and one reader socket (notes §3.2-§3.5). Frames pass through
// unchanged; text and binary share the FIFO. Backpressure is real: when the
// FIFO holds `bufferSize` items the writer's socket is paused, so the writer
// stalls on its own TCP window instead of the broker buffering without bound.

import type { WebSocket } from 'ws';
import { type ChannelStats, emptyStats } from './channel-stats.ts';
import { FaultInjector, type InjectedFaults } from './fault-injection.ts';
import { FrameLog, type FrameRecord } from './frame-log.ts';
import { type Logger, short } from './log.ts';
import type { ChannelPolicy } from './policy.ts';

export type EndState = 'free' | 'open' | 'done';
export type Direction = 'read' | 'write';

interface Item {
  data: Buffer;
  binary: boolean;
}

/** Why the reader's stream ended, when it did. */
interface StreamEnd {
  abnormal: boolean;
  reason: string;
}

export interface ChannelOptions {
  id: string;
  writerKey: string;
  readerKey: string;
  bufferSize: number;
  creatorWorkerId: string | undefined;
  policy: ChannelPolicy;
  logger: Logger;
  frameLogLimit: number;
  /** self-test corruption, see fault-injection.ts */
  faults?: InjectedFaults;
}

export class Channel {
  readonly id: string;
  readonly writerKey: string;
  readonly readerKey: string;
  readonly bufferSize: number;
  readonly creatorWorkerId: string | undefined;
  readonly createdAt = Date.now();
  /** A TTL of this channel's own, set through the diagnostics endpoint for sweep scenarios. */
  ttlMs?: number;
  readonly frames: FrameLog;
  private readonly faultInjector: FaultInjector | undefined;

  writerState: EndState = 'free';
  readerState: EndState = 'free';
  finishedAt: number | undefined;
  /** Set when the channel was removed (sweep, creator left) or broke. */
  brokenReason: string | undefined;

  private writer: WebSocket | undefined;
  private reader: WebSocket | undefined;
  private readonly queue: Item[] = [];
  /** Frames ws had already decoded when we paused the writer; see onWriterFrame. */
  private readonly held: Item[] = [];
  private delivering = false;
  private streamEnd: StreamEnd | undefined;
  /** compat: the next writer frame drops the writer socket (notes §3.5). */
  private dropWriterOnNextFrame = false;
  private writerErrored = false;

  readonly stats: ChannelStats = emptyStats();

  constructor(private readonly options: ChannelOptions) {
    this.id = options.id;
    this.writerKey = options.writerKey;
    this.readerKey = options.readerKey;
    this.bufferSize = options.bufferSize;
    this.creatorWorkerId = options.creatorWorkerId;
    this.frames = new FrameLog(this.createdAt, options.frameLogLimit);
    this.faultInjector = options.faults ? new FaultInjector(options.faults) : undefined;
  }

  get queuedItems(): number {
    return this.queue.length;
  }

  get heldItems(): number {
    return this.held.length;
  }

  get writerPaused(): boolean {
    return this.writer?.isPaused ?? false;
  }

  stateOf(dir: Direction): EndState {
    return dir === 'write' ? this.writerState : this.readerState;
  }

  attachWriter(ws: WebSocket): void {
    this.writer = ws;
    this.writerState = 'open';
    this.log(`writer connected`);
    ws.on('message', (data, isBinary) => this.onWriterFrame(data as Buffer, isBinary));
    ws.on('error', (err) => {
      this.writerErrored = true;
      this.options.logger.debug(`channel ${short(this.id)}: writer socket error: ${err.message}`);
    });
    ws.on('close', (code) => this.onWriterClose(code));
  }

  attachReader(ws: WebSocket): void {
    this.reader = ws;
    this.readerState = 'open';
    this.log(`reader connected (${this.queue.length} items queued)`);
    // The engine never reads the reader's socket (§3.4); frames from it are
    // ignored here too, but ws still answers pings and Close.
    ws.on('message', (_data, isBinary) => {
      this.options.logger.debug(`channel ${short(this.id)}: ignored reader frame (${isBinary})`);
    });
    ws.on('error', (err) => {
      this.options.logger.debug(`channel ${short(this.id)}: reader socket error: ${err.message}`);
    });
    ws.on('close', (code) => this.onReaderClose(code));
    this.pump();
  }

  /** Removes the channel from service: sweep, creator departure (§3.6). */
  expire(reason: string): void {
    if (this.brokenReason) return;
    this.brokenReason = reason;
    const abnormal = this.options.policy.expiryEndsReader === 'close-1011';

    if (this.readerState !== 'done' && this.writerState === 'free') {
      this.streamEnd = { abnormal, reason };
      this.pump();
    }
    if (this.writerState === 'open' && this.readerState !== 'open') this.cutOffWriter(reason);
  }

  private onWriterFrame(data: Buffer, binary: boolean): void {
    this.frames.add('writer', 'recv', binary ? 'binary' : 'text', data.length);
    if (this.brokenReason) {
      // Nobody can read this any more; the engine fails the send (§3.5).
      if (this.dropWriterOnNextFrame) this.dropWriter();
      return;
    }
    this.stats.itemsIn++;
    this.stats.bytesIn += data.length;
    if (this.faultInjector) {
      const changed = this.faultInjector.apply(data, binary);
      if (!changed) return;
      data = changed;
    }

    // ws keeps emitting frames it had already decoded after pause(), so those
    // wait in `held`; the FIFO itself never exceeds bufferSize. This mirrors
    // the one item the engine's write loop holds while blocked (§3.2).
    const item = { data, binary };
    if (this.queue.length < this.bufferSize && this.held.length === 0) this.enqueue(item);
    else this.held.push(item);
    this.stats.peakHeldItems = Math.max(this.stats.peakHeldItems, this.held.length);

    const heldBack = this.options.faults?.noBackpressure !== true;
    if (heldBack && this.queue.length >= this.bufferSize && this.writer && !this.writer.isPaused) {
      this.writer.pause();
      this.stats.writerPauses++;
    }
    this.pump();
  }

  private enqueue(item: Item): void {
    this.queue.push(item);
    this.stats.queuedBytes += item.data.length;
    this.stats.peakQueuedItems = Math.max(this.stats.peakQueuedItems, this.queue.length);
    this.stats.peakQueuedBytes = Math.max(this.stats.peakQueuedBytes, this.stats.queuedBytes);
  }

  private onWriterClose(code: number): void {
    this.writerState = 'done';
    this.stats.writerCloseCode = code;
    this.frames.add('writer', 'recv', 'close', 0, code);
    if (this.streamEnd || this.brokenReason) {
      this.checkFinished();
      return;
    }

    // Only a Close frame with 1000 or no code is a deliberate end; a drop
    // (1006), an error or any other code means the stream may be truncated.
    const clean = !this.writerErrored && (code === 1000 || code === 1005);
    const abnormal = !clean && this.options.policy.abnormalWriterEnd === 'close-1011';
    const reason = clean ? 'writer closed' : `writer ended abnormally (code ${code})`;
    this.log(`${reason}; ${this.queue.length + this.held.length} items still queued`);
    this.streamEnd = { abnormal, reason };
    this.pump();
  }

  private onReaderClose(code: number): void {
    this.stats.readerCloseCode = code;
    if (this.readerState === 'done') return;
    this.readerState = 'done';
    this.frames.add('reader', 'recv', 'close', 0, code);

    // The engine never reads the reader's socket (§3.5): a reader's Close goes
    // unanswered and the writer learns nothing until a send to the reader
    // fails, then it is dropped (1006). `ws` answers the Close at once and the
    // reader's socket is gone by the time this runs, so the next send would
    // fail in the engine too: compat drops the writer on its next frame, which
    // is what the real engine showed in lifecycle/reader-closes-early.
    this.log(`reader left before end of stream (code ${code})`);
    this.brokenReason ??= 'reader left before end of stream';
    this.cutOffWriter('reader left before end of stream');
    this.checkFinished();
  }

  /** The reader side is gone: drop queued data and stop the writer (§3.5). */
  private cutOffWriter(reason: string): void {
    this.queue.length = 0;
    this.held.length = 0;
    this.stats.queuedBytes = 0;
    if (this.writerState !== 'open' || !this.writer) {
      this.dropWriterOnNextFrame = this.options.policy.readerGone === 'as-engine';
      return;
    }
    if (this.options.policy.readerGone === 'close-writer-1011') {
      this.writer.close(1011, reason.slice(0, 100));
      this.frames.add('writer', 'send', 'close', 0, 1011);
      return;
    }
    // A writer blocked on a full queue fails at once in the engine; an idle
    // one only when it next sends.
    if (this.writer.isPaused) this.dropWriter();
    else this.dropWriterOnNextFrame = true;
  }

  private dropWriter(): void {
    this.dropWriterOnNextFrame = false;
    this.frames.add('writer', 'send', 'close', 0, 1006);
    this.writer?.terminate();
  }

  /** Delivers one item at a time, waiting for each to reach the socket. */
  private pump(): void {
    if (this.delivering || this.readerState !== 'open' || !this.reader) return;
    const item = this.queue.shift();
    if (!item) {
      if (this.streamEnd) this.endReader(this.streamEnd);
      return;
    }
    this.stats.queuedBytes -= item.data.length;
    this.refill();

    this.delivering = true;
    this.stats.itemsOut++;
    this.stats.bytesOut += item.data.length;
    this.frames.add('reader', 'send', item.binary ? 'binary' : 'text', item.data.length);
    this.reader.send(item.data, { binary: item.binary }, (err) => {
      this.delivering = false;
      if (err) {
        this.options.logger.debug(`channel ${short(this.id)}: send to reader failed`);
        return;
      }
      this.pump();
    });
  }

  private refill(): void {
    while (this.held.length > 0 && this.queue.length < this.bufferSize) {
      this.enqueue(this.held.shift() as Item);
    }
    if (this.queue.length < this.bufferSize && this.writer?.isPaused) this.writer.resume();
  }

  private endReader(end: StreamEnd): void {
    if (!this.reader || this.readerState !== 'open') return;
    this.readerState = 'done';
    this.stats.endReason = end.reason;
    const code = end.abnormal ? 1011 : this.options.policy.normalEndCode;
    if (code === undefined) this.reader.close();
    else this.reader.close(code, end.abnormal ? end.reason.slice(0, 100) : 'end of stream');
    this.frames.add('reader', 'send', 'close', 0, code ?? 1005);
    this.log(`reader closed (${end.reason}), ${this.stats.itemsOut} items delivered`);
    this.checkFinished();
  }

  private checkFinished(): void {
    if (this.finishedAt !== undefined) return;
    if (this.writerState === 'done' && this.readerState === 'done') this.finishedAt = Date.now();
  }

  private log(message: string): void {
    this.options.logger.info(`channel ${short(this.id)}: ${message}`);
  }

  frameRecords(): FrameRecord[] {
    return this.frames.list();
  }
}
