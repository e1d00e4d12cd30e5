// The proxy's evidence: one line per lifecycle step per connection, kept in
// order, with a way to await a line without polling. Lines are built by the
// connection from parsed fields only, never from raw request bytes, so an
// access key cannot reach them.
import { FaultProxyError } from './errors.ts';

export interface ProxyEvent {
  connection: number;
  channelId?: string;
  line: string;
}

interface Waiter {
  matches: (line: string) => boolean;
  resolve: (line: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class EventLog {
  private readonly entries: ProxyEvent[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly listener?: (line: string) => void;
  private closedWith?: Error;

  constructor(listener?: (line: string) => void) {
    this.listener = listener;
  }

  add(event: ProxyEvent): void {
    this.entries.push(event);
    this.listener?.(event.line);
    for (const waiter of this.waiters) {
      if (waiter.matches(event.line)) this.settle(waiter, () => waiter.resolve(event.line));
    }
  }

  lines(): string[] {
    return this.entries.map((e) => e.line);
  }

  linesFor(channelId: string): string[] {
    return this.entries.filter((e) => e.channelId === channelId).map((e) => e.line);
  }

  /** The first line, past or future, that contains `match` (or matches the RegExp). */
  waitFor(match: string | RegExp, timeoutMs: number): Promise<string> {
    const matches = (line: string) =>
      typeof match === 'string' ? line.includes(match) : match.test(line);
    const seen = this.entries.find((e) => matches(e.line));
    if (seen) return Promise.resolve(seen.line);
    if (this.closedWith) return Promise.reject(this.closedWith);

    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve,
        reject,
        // A hang guard only; unref'd so an abandoned wait never holds the process open.
        timer: setTimeout(() => {
          const tail = this.lines().slice(-5).join('\n  ');
          const why = `no proxy event matched ${String(match)} within ${timeoutMs} ms`;
          this.settle(waiter, () =>
            reject(new FaultProxyError('EVENT_TIMEOUT', `${why}; last events:\n  ${tail}`)),
          );
        }, timeoutMs).unref(),
      };
      this.waiters.add(waiter);
    });
  }

  /** No line will come after this: waits pending or later reject with `error`. */
  close(error: Error): void {
    this.closedWith = error;
    for (const waiter of this.waiters) this.settle(waiter, () => waiter.reject(error));
  }

  private settle(waiter: Waiter, outcome: () => void): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    outcome();
  }
}
