// One client connection through the proxy: read the request head, then
// either hold it unanswered (stall-upgrade) or relay it to the upstream byte
// for byte, counting bytes each way, and reset both sockets when a
// reset-after rule's byte budget is spent.
import { connect, type Socket } from 'node:net';
import type { FaultAction, RuleBook } from './fault-rules.ts';
import { type AnswerStatus, httpAnswer } from './http-answer.ts';
import {
  MAX_HEAD_BYTES,
  type RequestHead,
  readRequestHead,
  readResponseStatus,
  tagFor,
} from './request-head.ts';
import type { Upstream } from './upstream.ts';

type Phase =
  | 'READING_HEAD'
  | 'STALLED'
  | 'CONNECTING'
  | 'FORWARDING'
  | 'RESETTING'
  | 'ANSWERING'
  | 'STOPPING'
  | 'CLOSED';

type Side = 'client' | 'upstream';

export type Milestone = 'stalled' | 'upgraded' | 'reset';

/** What a connection needs from the proxy that owns it. */
export interface ConnectionHost {
  readonly upstream: Upstream;
  readonly rules: RuleBook;
  record(connection: ProxiedConnection, message: string): void;
  reached(milestone: Milestone): void;
  finished(connection: ProxiedConnection): void;
}

export class ProxiedConnection {
  readonly id: number;
  readonly done: Promise<void>;
  head?: RequestHead;
  private phase: Phase = 'READING_HEAD';
  private readonly host: ConnectionHost;
  private readonly client: Socket;
  private upstream?: Socket;
  private clientClosed = false;
  private upstreamClosed = false;
  /** The request head as read, then bytes that arrive while the upstream connects. */
  private held = Buffer.alloc(0);
  /** The upstream's response head until its status line is read; then undefined. */
  private response: Buffer | undefined = Buffer.alloc(0);
  private action?: FaultAction;
  private upgraded = false;
  private clientEndedEarly = false;
  private bytesUp = 0;
  private bytesDown = 0;
  private bytesUpAfterUpgrade = 0;
  private closedBy?: string;
  private markDone: () => void = () => {};

  constructor(id: number, client: Socket, host: ConnectionHost) {
    this.id = id;
    this.client = client;
    this.host = host;
    this.done = new Promise((resolve) => {
      this.markDone = resolve;
    });
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('end', () => this.onEnd('client'));
    client.on('error', (err) => this.onError('client', err));
    client.on('close', () => {
      this.clientClosed = true;
      this.maybeFinish();
    });
  }

  get tag(): string {
    return `#${this.id} ${this.head ? tagFor(this.head) : '-'}`;
  }

  /** Destroys both sockets (no RST) and resolves once both are closed. */
  stop(reason: string): Promise<void> {
    if (this.phase !== 'CLOSED') {
      this.phase = 'STOPPING';
      this.closedBy ??= reason;
      this.client.destroy();
      this.upstream?.destroy();
    }
    return this.done;
  }

  private record(message: string): void {
    this.host.record(this, message);
  }

  private onClientData(chunk: Buffer): void {
    if (this.phase === 'READING_HEAD') this.readHead(chunk);
    else if (this.phase === 'CONNECTING') this.held = Buffer.concat([this.held, chunk]);
    else if (this.phase === 'FORWARDING') this.forwardUp(chunk);
    // Otherwise discarded: a stalled upgrade, an answered request, a reset in progress.
  }

  private readHead(chunk: Buffer): void {
    this.held = Buffer.concat([this.held, chunk]);
    const read = readRequestHead(this.held);
    if (read.kind === 'incomplete') return;
    if (read.kind === 'malformed') {
      this.answer(400, read.why);
      return;
    }
    if (read.kind === 'too-large') {
      this.answer(431, `request head over ${MAX_HEAD_BYTES} bytes`);
      return;
    }

    this.head = read.head;
    this.record(`accepted ${read.head.method} ${read.head.upgrade ? 'upgrade' : 'request'}`);
    const channel = read.head.channel;
    if (channel?.direction) {
      this.action = this.host.rules.match(channel.channelId, channel.direction);
    }
    if (this.action?.kind === 'stall-upgrade') {
      this.phase = 'STALLED';
      this.held = Buffer.alloc(0);
      this.record('stalled: request held unanswered, upstream not contacted');
      this.host.reached('stalled');
      return;
    }
    this.connectUpstream();
  }

  private connectUpstream(): void {
    this.phase = 'CONNECTING';
    this.client.pause();
    const { host, port } = this.host.upstream;
    const upstream = connect({ host, port, allowHalfOpen: true });
    this.upstream = upstream;
    upstream.on('connect', () => this.onUpstreamConnect());
    upstream.on('data', (chunk: Buffer) => this.forwardDown(chunk));
    upstream.on('end', () => this.onEnd('upstream'));
    upstream.on('error', (err) => this.onError('upstream', err));
    upstream.on('close', () => {
      this.upstreamClosed = true;
      this.maybeFinish();
    });
  }

  private onUpstreamConnect(): void {
    if (this.phase !== 'CONNECTING' || !this.upstream) return;
    this.upstream.setNoDelay(true);
    this.record(`connected upstream ${this.host.upstream.label}`);
    this.phase = 'FORWARDING';
    const held = this.held;
    this.held = Buffer.alloc(0);
    this.bytesUp += held.length;
    const flowing = this.relay(held, this.upstream, this.client);
    if (this.clientEndedEarly) this.upstream.end();
    else if (flowing) this.client.resume();
  }

  private forwardUp(chunk: Buffer): void {
    const upstream = this.upstream!;
    const budget = this.resetBudget();
    if (budget === undefined || chunk.length < budget - this.bytesUpAfterUpgrade) {
      this.countUp(chunk.length);
      this.relay(chunk, upstream, this.client);
      return;
    }
    // The budget is spent inside this chunk: send exactly up to it, and reset
    // once those bytes are in the kernel, so "after N bytes" means N were sent.
    const last = chunk.subarray(0, budget - this.bytesUpAfterUpgrade);
    this.countUp(last.length);
    this.beginReset();
    upstream.write(last, () => this.resetBoth());
  }

  private forwardDown(chunk: Buffer): void {
    if (this.phase !== 'FORWARDING') return;
    this.bytesDown += chunk.length;
    const upgradedNow = this.inspectResponse(chunk);
    if (upgradedNow && this.resetBudget() === 0) {
      // reset-after 0: the client gets its 101, then the connection dies.
      this.beginReset();
      this.client.write(chunk, () => this.resetBoth());
      return;
    }
    this.relay(chunk, this.client, this.upstream!);
  }

  private countUp(bytes: number): void {
    this.bytesUp += bytes;
    if (this.upgraded) this.bytesUpAfterUpgrade += bytes;
  }

  /** The reset-after byte budget, armed only once the upstream answered 101. */
  private resetBudget(): number | undefined {
    return this.upgraded && this.action?.kind === 'reset-after' ? this.action.bytes : undefined;
  }

  /** Reads the upstream's status line; true when this chunk completed a 101. */
  private inspectResponse(chunk: Buffer): boolean {
    if (!this.response) return false;
    this.response = Buffer.concat([this.response, chunk]);
    const read = readResponseStatus(this.response);
    if (read.kind === 'incomplete') return false;
    this.response = undefined;
    if (read.kind === 'unreadable') {
      this.record('upstream response unreadable; relaying it without inspection');
      return false;
    }
    if (read.status === 101 && this.head?.upgrade) {
      this.upgraded = true;
      this.record('upgraded: upstream answered 101');
      this.host.reached('upgraded');
      return true;
    }
    const unused = this.action ? `; ${this.action.kind} rule not applied` : '';
    this.record(`upstream answered ${read.status}${unused}`);
    return false;
  }

  /** Writes with backpressure: a full destination pauses the source (returns false). */
  private relay(chunk: Buffer, to: Socket, from: Socket): boolean {
    if (chunk.length === 0 || to.write(chunk)) return true;
    from.pause();
    to.once('drain', () => {
      if (this.phase === 'FORWARDING') from.resume();
    });
    return false;
  }

  private beginReset(): void {
    this.phase = 'RESETTING';
    this.client.pause();
    this.upstream?.pause();
    this.closedBy = `proxy reset after ${this.bytesUpAfterUpgrade} bytes`;
  }

  private resetBoth(): void {
    if (this.phase !== 'RESETTING') return;
    this.record(`reset both sockets after ${this.bytesUpAfterUpgrade} bytes client→upstream`);
    this.host.reached('reset');
    resetSocket(this.client);
    if (this.upstream) resetSocket(this.upstream);
  }

  /** Answers the client itself and half-closes; the socket goes when the client closes. */
  private answer(status: AnswerStatus, reason: string): void {
    this.phase = 'ANSWERING';
    this.closedBy ??= `proxy (answered ${status})`;
    this.record(`${reason}; answered ${status}`);
    if (this.client.destroyed) return;
    // Keep reading (and discarding) so the client's FIN arrives: closing with
    // unread bytes would send an RST that can destroy the answer in flight.
    this.client.resume();
    this.client.end(httpAnswer(status, reason));
  }

  private onEnd(side: Side): void {
    if (this.phase === 'FORWARDING') {
      // Half-close passes through: the other side may still send.
      this.closedBy ??= side;
      this.other(side)?.end();
      return;
    }
    if (this.phase === 'READING_HEAD') {
      this.closedBy ??= `client before a complete request head (${this.held.length} bytes read)`;
    } else if (this.phase === 'STALLED') {
      this.closedBy ??= 'client, giving up on the stalled upgrade';
    } else if (this.phase === 'CONNECTING') {
      // A half-close, possibly in the same packet as the request: passed on
      // once the upstream is connected.
      this.clientEndedEarly = true;
      this.closedBy ??= side;
      return;
    } else {
      return;
    }
    this.client.destroy();
    this.upstream?.destroy();
  }

  private onError(side: Side, err: NodeJS.ErrnoException): void {
    // Only the code: a message may quote addresses or, one day, a URL.
    const code = err.code ?? 'ERROR';
    if (this.phase === 'CONNECTING' && side === 'upstream') {
      this.answer(502, `upstream ${this.host.upstream.label} connect failed: ${code}`);
      return;
    }
    if (this.phase === 'RESETTING' || this.phase === 'STOPPING' || this.phase === 'CLOSED') return;
    this.closedBy ??= `${side} (${code})`;
    // Mirror what happened: a reset on one side becomes a reset on the other.
    const other = this.other(side);
    if (other && code === 'ECONNRESET') resetSocket(other);
    else other?.destroy();
  }

  private other(side: Side): Socket | undefined {
    return side === 'client' ? this.upstream : this.client;
  }

  private maybeFinish(): void {
    if (this.phase === 'CLOSED' || !this.clientClosed) return;
    if (this.upstream && !this.upstreamClosed) return;
    this.phase = 'CLOSED';
    const bytes = `bytes client→upstream ${this.bytesUp}, upstream→client ${this.bytesDown}`;
    this.record(`closed by ${this.closedBy ?? 'unknown'}; ${bytes}`);
    this.host.finished(this);
    this.markDone();
  }
}

/** RST instead of FIN; a socket still connecting is just dropped. */
function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}
