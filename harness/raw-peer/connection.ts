// One upgraded channel socket seen frame by frame. It answers pings and a
// peer's Close, fails the connection on frames a server must not send, and
// logs every frame in both directions. What the data frames mean (digest,
// texts, expectations) is the writer's or reader's business.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  closePayload,
  encodeFrame,
  encodeHeader,
  FrameDecoder,
  FrameError,
  type FrameHeader,
  isControl,
  maskInPlace,
  OPCODE,
  parseClosePayload,
} from './frame-codec.ts';
import { FrameLog, logEntry } from './frame-log.ts';
import { serverFrameProblem } from './server-rules.ts';

/** How the socket ended, as far as this side can tell. */
export type ConnectionEnd =
  | { how: 'close'; code: number; reason: string; by: 'peer' | 'us' }
  | { how: 'tcp-end' }
  | { how: 'error'; code: string; message: string }
  | { how: 'dropped-by-us' };

export interface DataSink {
  onDataHeader(header: FrameHeader): void;
  onDataPayload(piece: Buffer): void;
  onDataEnd(header: FrameHeader): void;
}

export interface OutFrame {
  opcode: number;
  fin?: boolean;
  rsv?: number;
  /** Client frames are masked (RFC 6455 §5.3); false sends one unmasked on purpose. */
  mask?: boolean;
}

/** Control frames beyond this are a protocol error anyway; stop buffering there. */
const MAX_CONTROL_BUFFER = 64 * 1024;

export class ConnectionGone extends Error {
  constructor(readonly end: ConnectionEnd) {
    super(`channel socket already ended (${end.how})`);
    this.name = 'ConnectionGone';
  }
}

export class RawConnection {
  readonly frames: FrameLog;
  readonly ended: Promise<ConnectionEnd>;
  closeSent: { code: number } | undefined;
  closeReceived: { code: number; reason: string } | undefined;
  protocolError: string | undefined;

  private readonly decoder: FrameDecoder;
  private current: (FrameHeader & { masked: boolean }) | undefined;
  private control: Buffer[] = [];
  private controlBytes = 0;
  /** The opcode of a fragmented message still waiting for its FIN frame. */
  private openMessage: number | undefined;
  private droppedByUs = false;
  private closeInitiatedByUs = false;
  private sending: Promise<void> = Promise.resolve();
  private socketError: NodeJS.ErrnoException | undefined;
  private end: ConnectionEnd | undefined;

  constructor(
    private readonly socket: Socket,
    head: Buffer,
    private readonly sink: DataSink | undefined,
    frameLogLimit?: number,
  ) {
    this.frames = new FrameLog(frameLogLimit);
    this.decoder = new FrameDecoder({
      onHeader: (h) => this.onHeader(h),
      onPayload: (piece) => this.onPayload(piece),
      onFrameEnd: () => this.onFrameEnd(),
    });
    this.ended = new Promise((resolve) => {
      socket.on('close', () => {
        this.end = this.describeEnd();
        resolve(this.end);
      });
    });
    socket.on('error', (err) => {
      this.socketError ??= err;
    });
    socket.on('data', (chunk: Buffer) => this.push(chunk));
    // Bytes that came with the 101 go first; the socket stays paused until then.
    queueMicrotask(() => {
      if (head.length > 0) this.push(head);
      socket.resume();
    });
  }

  get isOpen(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  /**
   * Frames go out one at a time: a pong or a Close reply must wait until a
   * frame being streamed is complete, or it would land inside its payload.
   */
  private exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.sending.then(task);
    this.sending = run.catch(() => {});
    return run;
  }

  /** Sends one frame; resolves once the socket can take more (backpressure). */
  send(frame: OutFrame, payload: Uint8Array): Promise<void> {
    return this.exclusive(() => this.sendNow(frame, payload));
  }

  private sendNow(frame: OutFrame, payload: Uint8Array): Promise<void> {
    const maskKey = frame.mask === false ? undefined : randomBytes(4);
    const header = { fin: frame.fin ?? true, rsv: frame.rsv ?? 0, opcode: frame.opcode, maskKey };
    let closeCode: number | undefined;
    if (frame.opcode === OPCODE.close) {
      closeCode = parseClosePayload(Buffer.from(payload)).code;
      this.closeSent ??= { code: closeCode };
      if (!this.closeReceived) this.closeInitiatedByUs = true;
    }
    this.frames.add(logEntry('out', header, payload.length, !!maskKey, closeCode));
    return this.write(encodeFrame(header, payload));
  }

  /**
   * Sends one frame of `length` bytes produced piecewise by `fill`, masking
   * each piece in place, so a 64 MiB frame never exists in memory at once.
   */
  sendStreamed(
    frame: OutFrame,
    length: number,
    fill: (buf: Buffer, at: number) => void,
    piece = 1 << 20,
  ): Promise<void> {
    return this.exclusive(() => this.sendStreamedNow(frame, length, fill, piece));
  }

  private async sendStreamedNow(
    frame: OutFrame,
    length: number,
    fill: (buf: Buffer, at: number) => void,
    piece: number,
  ): Promise<void> {
    const maskKey = frame.mask === false ? undefined : randomBytes(4);
    const header = { fin: frame.fin ?? true, rsv: frame.rsv ?? 0, opcode: frame.opcode, maskKey };
    this.frames.add(logEntry('out', header, length, !!maskKey));
    await this.write(encodeHeader({ ...header, length }));
    for (let at = 0; at < length; at += piece) {
      const buf = Buffer.allocUnsafe(Math.min(piece, length - at));
      fill(buf, at);
      if (maskKey) maskInPlace(buf, maskKey, at);
      await this.write(buf);
    }
  }

  async sendClose(code?: number, reason?: string): Promise<void> {
    if (this.closeSent || !this.isOpen) return;
    // Claimed before queuing, so a Close reply and our own Close never both go out.
    this.closeSent = { code: code ?? 1005 };
    if (!this.closeReceived) this.closeInitiatedByUs = true;
    await this.send({ opcode: OPCODE.close }, closePayload(code, reason));
  }

  /** TCP FIN without a Close frame. */
  endWithoutClose(): void {
    this.droppedByUs = true;
    this.socket.end();
  }

  /** TCP RST: the connection vanishes as if the process died mid-write. */
  reset(): void {
    this.droppedByUs = true;
    this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.droppedByUs = true;
    this.socket.destroy();
  }

  private write(buf: Buffer): Promise<void> {
    if (!this.isOpen) return Promise.reject(new ConnectionGone(this.describeEnd()));
    if (this.socket.write(buf)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.socket.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        this.socket.off('drain', onDrain);
        reject(new ConnectionGone(this.describeEnd()));
      };
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }

  private push(chunk: Buffer): void {
    try {
      this.decoder.push(chunk);
    } catch (err) {
      this.fail(err instanceof FrameError ? err.message : String(err));
    }
  }

  private onHeader(h: FrameHeader & { masked: boolean }): void {
    this.current = h;
    this.control = [];
    this.controlBytes = 0;
    const problem = serverFrameProblem(h, this.openMessage);
    if (problem) {
      this.frames.add(logEntry('in', h, h.length, h.masked));
      this.fail(problem);
      return;
    }
    if (!isControl(h.opcode)) {
      this.openMessage = h.fin ? undefined : (this.openMessage ?? h.opcode);
      this.sink?.onDataHeader(h);
    }
  }

  private onPayload(piece: Buffer): void {
    const h = this.current;
    if (!h) return;
    if (!isControl(h.opcode)) {
      this.sink?.onDataPayload(piece);
    } else if (this.controlBytes < MAX_CONTROL_BUFFER) {
      this.control.push(Buffer.from(piece));
      this.controlBytes += piece.length;
    }
  }

  private onFrameEnd(): void {
    const h = this.current;
    if (!h) return;
    this.current = undefined;
    if (!isControl(h.opcode)) {
      this.frames.add(logEntry('in', h, h.length, h.masked));
      this.sink?.onDataEnd(h);
      return;
    }
    const body = Buffer.concat(this.control);
    if (h.opcode === OPCODE.close) {
      this.closeReceived = parseClosePayload(body);
      this.frames.add(logEntry('in', h, h.length, h.masked, this.closeReceived.code));
      this.answerClose(this.closeReceived.code);
      return;
    }
    this.frames.add(logEntry('in', h, h.length, h.masked));
    if (h.opcode === OPCODE.ping && this.isOpen && !this.closeSent) {
      this.send({ opcode: OPCODE.pong }, body).catch(() => {});
    }
  }

  /** Echo the code (RFC 6455 §5.5.1), then let TCP close; 1005 is echoed as no code. */
  private answerClose(code: number): void {
    this.decoder.halt();
    const echo = code === 1005 || code === 1006 || code === 1015 ? undefined : code;
    this.sendClose(echo)
      .catch(() => {})
      .finally(() => this.socket.end());
  }

  private fail(problem: string): void {
    this.protocolError ??= problem;
    this.decoder.halt();
    this.sendClose(1002, problem.slice(0, 100))
      .catch(() => {})
      .finally(() => this.socket.end());
  }

  private describeEnd(): ConnectionEnd {
    if (this.end) return this.end;
    if (this.protocolError) {
      return { how: 'error', code: 'PROTOCOL_ERROR', message: this.protocolError };
    }
    if (this.closeReceived) {
      return { how: 'close', ...this.closeReceived, by: this.closeInitiatedByUs ? 'us' : 'peer' };
    }
    if (this.droppedByUs) return { how: 'dropped-by-us' };
    if (this.socketError) {
      const code = this.socketError.code ?? 'SOCKET_ERROR';
      return { how: 'error', code, message: this.socketError.message };
    }
    return { how: 'tcp-end' };
  }
}
