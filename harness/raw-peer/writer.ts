// A writer that speaks frames straight onto a channel socket: whatever the
// ops say, including what no SDK sends (frames past 64 KiB, empty and
// continuation frames, pings between fragments, invalid UTF-8, RSV bits,
// unmasked frames, leaving without a Close or with an RST).
import { isUtf8 } from 'node:buffer';
import type { Digest } from '../schema/types.ts';
import { ConnectionGone, type RawConnection } from './connection.ts';
import { RawDigest } from './digest.ts';
import { OPCODE } from './frame-codec.ts';
import type { FrameLogView } from './frame-log.ts';
import {
  chunkSizes,
  describeOp,
  fragmentSizes,
  INVALID_UTF8_HEX,
  opcodeOf,
  type PayloadSpec,
  payloadBytes,
  type RawOp,
} from './ops.ts';
import { seededStream } from './seeded.ts';
import {
  type ChannelRef,
  Deadline,
  DeadlineExceeded,
  type LineLog,
  openChannel,
  roleLogger,
} from './session.ts';
import { summarizeEnd } from './summary.ts';

export interface RawWriteOptions {
  engineUrl: string;
  ref: ChannelRef;
  ops: RawOp[];
  deadlineMs: number;
  cell: string;
  log?: LineLog;
}

export interface RawWriteReport {
  digest: Digest;
  /** Frames both ways, in order; sizes, types and close codes only. */
  frames: FrameLogView;
  /** Set when the upgrade was refused. */
  http?: { status: number; body: string };
  /** The engine's Close frame, if one arrived. */
  peerClose?: { code: number; reason: string };
}

/** Frames bigger than this are generated and masked piecewise. */
const STREAM_ABOVE = 1 << 20;
/** The body of a ping or pong sent between fragments. */
const CONTROL_BODY = Buffer.from('raw-peer');

/**
 * Connects as the writer, performs `ops` in order and reports a writer
 * digest (lang "raw") and the frame log. Digest bytes/sha256 cover binary
 * payload bytes put on the wire, including continuation frames of binary
 * messages; `chunks` counts those frames; texts are complete, well-formed
 * text messages. `end`: "closed" when our Close was answered with 1000, no
 * code or our own code; "error" when the engine closed first or with
 * another code (PEER_CLOSED), the TCP connection ended without a Close
 * (NO_CLOSE), the upgrade was refused (HTTP_<status>) or the plan ended the
 * socket itself (ABORTED); "timeout" at the deadline. Without a close or
 * end op the socket stays open until the engine ends it or the deadline.
 */
export async function rawWrite(opts: RawWriteOptions): Promise<RawWriteReport> {
  const log = roleLogger(opts.cell, 'writer', opts.log);
  const deadline = new Deadline(opts.deadlineMs);
  const digest = new RawDigest('writer');
  const opened = await openChannel(opts, 'write', deadline, digest, log);
  const conn = opened.conn;
  if (!conn) {
    digest.finish(deadline.remaining === 0 ? 'timeout' : 'error');
    return { digest: digest.build(), frames: { entries: [], omitted: 0, total: 0 }, ...opened };
  }

  const writer = new OpWriter(conn, digest, deadline, log);
  try {
    await writer.run(opts.ops);
  } catch (err) {
    if (err instanceof DeadlineExceeded) {
      log(`deadline of ${opts.deadlineMs} ms passed`);
      conn.destroy();
      digest.finish('timeout');
    } else if (err instanceof ConnectionGone) {
      const summary = summarizeEnd(err.end);
      digest.fail(summary.code, `${summary.message} during ${writer.currentOp}`, 'write');
    } else {
      digest.fail('PLAN_ERROR', (err as Error).message, 'plan');
      conn.destroy();
    }
  }

  const end = await deadline.race(conn.ended).catch(() => {
    conn.destroy();
    digest.finish('timeout');
    return undefined;
  });
  if (end && !digest.ended) {
    // Clean means: our Close, answered with 1000, no code or our own code.
    // The engine closing first (strict 1011 when the reader left), answering
    // with an error code (1002, 1007) or vanishing is an error for a writer.
    const sent = conn.closeSent?.code;
    const clean =
      end.how === 'close' &&
      end.by === 'us' &&
      (end.code === 1000 || end.code === 1005 || end.code === sent);
    if (!clean && !writer.endedOnPurpose) {
      const summary = summarizeEnd(end);
      digest.fail(summary.code, summary.message, writer.closedOnPurpose ? 'close' : 'write');
    }
    digest.finish('closed');
  }
  const built = digest.build();
  log(`ended ${built.end}${built.error ? ` (${built.error.code})` : ''}, ${built.bytes} B`);
  const report: RawWriteReport = { digest: built, frames: conn.frames.view() };
  if (conn.closeReceived) report.peerClose = conn.closeReceived;
  return report;
}

/** Runs ops in order and accounts for what went out, message by message. */
class OpWriter {
  currentOp = 'connect';
  closedOnPurpose = false;
  endedOnPurpose = false;
  /** A fragmented message still open: its kind, and for text its bytes so far. */
  private open: { kind: 'text' | 'binary'; text: Buffer[]; atByte: number } | undefined;

  constructor(
    private readonly conn: RawConnection,
    private readonly digest: RawDigest,
    private readonly deadline: Deadline,
    private readonly log: LineLog,
  ) {}

  async run(ops: readonly RawOp[]): Promise<void> {
    for (const [index, op] of ops.entries()) {
      this.currentOp = `op #${index} (${describeOp(op)})`;
      await this.deadline.race(this.one(op));
      // Ops after a Close still run: a frame after Close is a case of its own
      // (the engine forwards late frames for 10 ms, notes §3.5).
      if (this.endedOnPurpose) return;
    }
  }

  private async one(op: RawOp): Promise<void> {
    if ('bytes' in op) {
      const { seed, offset = 0, length, chunk = 0 } = op.bytes;
      let at = offset;
      for (const size of chunkSizes(length, chunk)) {
        await this.binaryFrame(seed, at, size, OPCODE.binary, true);
        at += size;
      }
    } else if ('text' in op) {
      const utf8 = Buffer.from(op.text.value.repeat(Math.max(1, op.text.repeat ?? 0)), 'utf8');
      this.digest.addText(utf8);
      await this.conn.send({ opcode: OPCODE.text }, utf8);
    } else if ('pause' in op) {
      await this.deadline.sleep(op.pause.ms);
    } else if ('close' in op) {
      await this.close(op.close.code ?? 1000, op.close.reason ?? '');
    } else if ('frame' in op) {
      await this.frame(op.frame);
    } else if ('fragmented' in op) {
      await this.fragmented(op.fragmented);
    } else if ('invalidUtf8Text' in op) {
      const bytes = Buffer.from(op.invalidUtf8Text.hex ?? INVALID_UTF8_HEX, 'hex');
      await this.conn.send({ opcode: OPCODE.text }, bytes);
    } else if ('end' in op && op.end.how === 'close') {
      await this.close(1000, '');
    } else {
      const how = 'end' in op ? op.end.how : 'no-close';
      this.endedOnPurpose = true;
      this.log(how === 'reset' ? 'resetting the connection (RST)' : 'ending TCP without a Close');
      if (how === 'reset') this.conn.reset();
      else this.conn.endWithoutClose();
      const what = how === 'reset' ? 'reset (RST)' : 'ended without a Close (TCP FIN)';
      this.digest.fail('ABORTED', `writer ${what} by the plan`, 'plan');
    }
  }

  /** One binary (or continuation) frame of seeded bytes, hashed before masking. */
  private async binaryFrame(seed: string, at: number, size: number, opcode: number, fin: boolean) {
    const stream = seededStream(seed);
    if (size <= STREAM_ABOVE) {
      const bytes = stream.slice(at, size);
      this.digest.addBytes(bytes);
      this.digest.addChunk(size);
      await this.conn.send({ opcode, fin }, bytes);
      return;
    }
    this.digest.addChunk(size);
    await this.conn.sendStreamed({ opcode, fin }, size, (buf, off) => {
      stream.fill(buf, 0, at + off, buf.length);
      this.digest.addBytes(buf);
    });
  }

  private async close(code: number, reason: string): Promise<void> {
    this.closedOnPurpose = true;
    this.log(`sending Close ${code}`);
    // The reply is awaited once all ops have run (rawWrite awaits conn.ended).
    await this.conn.sendClose(code, reason);
  }

  private async frame(f: Extract<RawOp, { frame: unknown }>['frame']): Promise<void> {
    const opcode = opcodeOf(f.opcode);
    const fin = f.fin ?? true;
    const rsv = (f.rsv1 ? 4 : 0) | (f.rsv2 ? 2 : 0) | (f.rsv3 ? 1 : 0);
    const bytes = payloadBytes(f.payload);
    this.account(opcode, fin, bytes);
    await this.conn.send({ opcode, fin, rsv, mask: f.mask }, bytes);
  }

  private async fragmented(f: Extract<RawOp, { fragmented: unknown }>['fragmented']) {
    const bytes = payloadBytes(f.payload as PayloadSpec);
    const sizes = fragmentSizes(bytes.length, f.pieces);
    let at = 0;
    for (const [i, size] of sizes.entries()) {
      if (i > 0 && f.controlBetween) {
        const opcode = f.controlBetween === 'ping' ? OPCODE.ping : OPCODE.pong;
        await this.conn.send({ opcode }, CONTROL_BODY);
      }
      const opcode = i === 0 ? (f.kind === 'text' ? OPCODE.text : OPCODE.binary) : 0;
      const piece = bytes.subarray(at, at + size);
      const fin = i === sizes.length - 1;
      this.account(opcode, fin, piece);
      await this.conn.send({ opcode, fin }, piece);
      at += size;
    }
  }

  /** Digest accounting for a data frame: binary bytes and chunks, texts once complete. */
  private account(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === OPCODE.binary || opcode === OPCODE.text) {
      const kind = opcode === OPCODE.binary ? 'binary' : 'text';
      this.open = { kind, text: [], atByte: this.digest.byteCount };
    } else if (opcode !== OPCODE.continuation || !this.open) {
      return;
    }
    const open = this.open as NonNullable<typeof this.open>;
    if (open.kind === 'binary') {
      this.digest.addBytes(payload);
      this.digest.addChunk(payload.length);
    } else {
      open.text.push(payload);
    }
    if (!fin) return;
    this.open = undefined;
    const utf8 = Buffer.concat(open.text);
    // Only well-formed texts count; an engine must not deliver the others.
    if (open.kind === 'text' && isUtf8(utf8)) this.digest.addText(utf8, open.atByte);
  }
}
