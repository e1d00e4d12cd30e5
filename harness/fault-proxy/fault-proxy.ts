// A loopback TCP proxy in front of an engine, so the harness can break one
// channel end of one worker the way a network would: a peer that accepts
// TCP but never answers the upgrade, or a reset part way through a write.
//
// Why a raw net server rather than node:http's 'upgrade' event: the proxy
// must relay bytes exactly as sent (request heads included), decide per
// connection before the upstream is contacted, and answer malformed or
// oversized heads itself. node:http would re-parse and re-serialise the
// head and take those decisions for us.
import { createServer, type Server, type Socket } from 'node:net';
import { FaultProxyError } from './errors.ts';
import { EventLog } from './event-log.ts';
import { type FaultRule, RuleBook } from './fault-rules.ts';
import { type ConnectionHost, type Milestone, ProxiedConnection } from './proxied-connection.ts';
import { parseUpstream, type Upstream } from './upstream.ts';

export interface FaultProxyOptions {
  /** The engine URL, ws://HOST:PORT with a loopback HOST. */
  upstream: string;
  /** Called with every event line as it is recorded (e.g. to mirror it into a log). */
  onEvent?: (line: string) => void;
}

export interface ConnectionCounts {
  /** Connections whose sockets are not all closed yet. */
  open: number;
  accepted: number;
  stalled: number;
  upgraded: number;
  reset: number;
}

const DEFAULT_WAIT_MS = 10_000;

export class FaultProxy {
  /** ws://127.0.0.1:PORT: give this to a worker instead of the engine URL. */
  readonly url: string;
  readonly port: number;
  readonly upstream: Upstream;
  private readonly server: Server;
  private readonly log: EventLog;
  private readonly rules = new RuleBook();
  private readonly open = new Set<ProxiedConnection>();
  private readonly counts = { accepted: 0, stalled: 0, upgraded: 0, reset: 0 };
  private readonly host: ConnectionHost;
  private nextId = 1;
  private stopped?: Promise<void>;

  /** Listens on 127.0.0.1, port 0. Throws FaultProxyError for a non-loopback upstream. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const upstream = parseUpstream(options.upstream);
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new FaultProxy(server, upstream, options.onEvent);
  }

  private constructor(server: Server, upstream: Upstream, onEvent?: (line: string) => void) {
    this.server = server;
    this.upstream = upstream;
    this.log = new EventLog(onEvent);
    const address = server.address();
    if (!address || typeof address === 'string') {
      throw new Error('Internal error: a TCP listener without a port');
    }
    this.port = address.port;
    this.url = `ws://127.0.0.1:${this.port}`;
    this.host = {
      upstream,
      rules: this.rules,
      record: (connection, message) =>
        this.log.add({
          connection: connection.id,
          channelId: connection.head?.channel?.channelId,
          line: `[${connection.tag}] ${message}`,
        }),
      reached: (milestone: Milestone) => {
        this.counts[milestone] += 1;
      },
      finished: (connection) => this.open.delete(connection),
    };
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (err: NodeJS.ErrnoException) =>
      this.log.add({ connection: 0, line: `[proxy] listener error: ${err.code ?? 'ERROR'}` }),
    );
  }

  /**
   * Faults one channel end. Applies to connections whose request arrives
   * while the rule is in place; returns the function that removes it.
   */
  addRule(rule: FaultRule): () => void {
    return this.rules.add(rule);
  }

  events(): string[] {
    return this.log.lines();
  }

  eventsFor(channelId: string): string[] {
    return this.log.linesFor(channelId);
  }

  /** The first event line, past or future, containing `match`; rejects after `timeoutMs`. */
  waitForEvent(match: string | RegExp, timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    return this.log.waitFor(match, timeoutMs);
  }

  connections(): ConnectionCounts {
    return { open: this.open.size, ...this.counts };
  }

  /** Closes the listener and destroys every socket; idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.counts.accepted += 1;
    this.open.add(new ProxiedConnection(this.nextId++, socket, this.host));
  }

  private async shutdown(): Promise<void> {
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.open].map((connection) => connection.stop('proxy stop')));
    await listenerClosed;
    this.log.close(
      new FaultProxyError('STOPPED', 'the fault proxy stopped before the awaited event'),
    );
  }
}
