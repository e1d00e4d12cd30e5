// One connected worker: its ids, what it registered, and a JSON sender.

import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';

export const DEFAULT_NAMESPACE = 'default';

export class WorkerSession {
  readonly id = randomUUID();
  readonly reattachToken = randomUUID();
  readonly connectedAt = Date.now();
  readonly functions = new Set<string>();
  /** From engine::workers::register; until then the worker has no name. */
  name: string | undefined;
  runtime: string | undefined;
  /** Functions resolve in this namespace (notes §1.4, §2.2). */
  namespace = DEFAULT_NAMESPACE;
  closed = false;
  framesDropped = 0;

  constructor(
    readonly ws: WebSocket,
    readonly peer: string,
  ) {}

  send(message: object): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify(message));
  }

  label(): string {
    return `${this.id.slice(0, 8)}${this.name ? ` (${this.name})` : ''}`;
  }
}
