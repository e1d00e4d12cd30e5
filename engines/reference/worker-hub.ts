// Worker connections: the greeting, registrations, reattach, and the
// lifecycle of a session. Invocation routing is in invocation-router.ts.

import type { WebSocket } from 'ws';
import type { ChannelRegistry } from './channel-registry.ts';
import { InvocationRouter } from './invocation-router.ts';
import type { Logger } from './log.ts';
import { decodeFrame, type Json, type WorkerMessage } from './protocol.ts';
import { DEFAULT_NAMESPACE, WorkerSession } from './worker-session.ts';

export interface WorkerHubOptions {
  logger: Logger;
  channels: ChannelRegistry;
}

export class WorkerHub {
  readonly sessions = new Map<string, WorkerSession>();
  readonly router: InvocationRouter;
  /** Frames that were logged and dropped (malformed or unknown). */
  malformedFrames = 0;

  constructor(private readonly options: WorkerHubOptions) {
    this.router = new InvocationRouter({
      logger: options.logger,
      channels: options.channels,
      sessions: this.sessions,
      registerWorker: (caller, data) => this.applyWorkerRegister(caller, data),
    });
  }

  accept(ws: WebSocket, peer: string): WorkerSession {
    const session = new WorkerSession(ws, peer);
    this.sessions.set(session.id, session);
    this.options.logger.info(`worker ${session.label()} connected from ${peer}`);

    // The engine greets before reading anything (notes §1.3).
    session.send({
      type: 'workerregistered',
      worker_id: session.id,
      reattach_token: session.reattachToken,
    });
    ws.on('message', (data, isBinary) => this.onFrame(session, data as Buffer, isBinary));
    ws.on('error', (err) => {
      this.options.logger.warn(`worker ${session.label()}: socket error: ${err.message}`);
    });
    ws.on('close', (code) => this.leave(session, `socket closed (code ${code})`));
    return session;
  }

  private onFrame(session: WorkerSession, data: Buffer, isBinary: boolean): void {
    const decoded = decodeFrame(data, isBinary);
    if (decoded.ok === true) {
      try {
        this.dispatch(session, decoded.message);
      } catch (err) {
        // A bug here must cost one message, not the broker.
        this.options.logger.error(`worker ${session.label()}: internal error: ${String(err)}`);
      }
      return;
    }
    if (decoded.ok === false) {
      this.malformedFrames++;
      session.framesDropped++;
      this.options.logger.warn(
        `worker ${session.label()}: dropped ${data.length} B frame: ${decoded.reason}`,
      );
    }
  }

  private dispatch(session: WorkerSession, message: WorkerMessage): void {
    switch (message.type) {
      case 'registerfunction':
        this.registerFunction(session, message.id);
        return;
      case 'unregisterfunction':
        if (session.functions.delete(message.id)) {
          this.options.logger.info(`worker ${session.label()}: unregistered ${message.id}`);
        }
        return;
      case 'invokefunction':
        this.router.invoke(session, message.invocation);
        return;
      case 'invocationresult':
        this.router.complete(session, message.result);
        return;
      case 'reattach':
        this.reattach(session, message.previousWorkerId, message.reattachToken);
        return;
      case 'ping':
        session.send({ type: 'pong' });
        return;
      case 'pong':
      case 'ignored':
        this.options.logger.debug(`worker ${session.label()}: ignored ${message.type}`);
        return;
    }
  }

  private registerFunction(session: WorkerSession, id: string): void {
    const owner = this.router.findOwner(session.namespace, id);
    if (id.startsWith('engine::') || (owner && owner !== session)) {
      // Refused like the engine's namespace conflict (notes §1.6); the worker
      // stays connected.
      this.options.logger.warn(`worker ${session.label()}: registration of ${id} rejected`);
      session.send({
        type: 'registrationrejected',
        code: 'FUNCTION_NAMESPACE_CONFLICT',
        namespace: session.namespace,
        function_id: id,
        owner_worker_id: owner?.id ?? null,
      });
      return;
    }
    session.functions.add(id);
    this.options.logger.info(`worker ${session.label()}: registered function ${id}`);
  }

  /** engine::workers::register: name and namespace (notes §1.4, §1.6). */
  private applyWorkerRegister(session: WorkerSession, data: Json): void {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return;
    const name = typeof data.name === 'string' ? data.name : undefined;
    const ns =
      typeof data.namespace === 'string' && data.namespace.trim() !== ''
        ? data.namespace
        : DEFAULT_NAMESPACE;
    session.namespace = ns;
    session.runtime = typeof data.runtime === 'string' ? data.runtime : undefined;

    const holder = [...this.sessions.values()].find(
      (other) =>
        other !== session && !other.closed && other.name === name && other.namespace === ns,
    );
    if (name !== undefined && holder) {
      // Two live workers may not share (namespace, name); the engine rejects
      // the newcomer and closes it, and the SDKs treat that as fatal.
      this.options.logger.warn(
        `worker ${session.label()}: name "${name}" already held by ${holder.label()}; rejecting`,
      );
      session.send({
        type: 'registrationrejected',
        code: 'WORKER_NAMESPACE_CONFLICT',
        namespace: ns,
        worker_name: name,
        owner_worker_id: holder.id,
      });
      session.ws.close();
      return;
    }
    session.name = name;
    this.options.logger.info(
      `worker ${session.label()}: registered as ${session.runtime ?? 'unknown runtime'} in ${ns}`,
    );
  }

  private reattach(session: WorkerSession, previousId: string, token: string | undefined): void {
    const previous = this.sessions.get(previousId);
    if (!previous || previous === session || previous.reattachToken !== token) {
      this.options.logger.debug(`worker ${session.label()}: reattach ignored`);
      return;
    }
    this.options.logger.info(`worker ${session.label()}: reattach retires ${previous.label()}`);
    previous.ws.terminate();
    this.leave(previous, 'retired by reattach');
  }

  private leave(session: WorkerSession, why: string): void {
    if (session.closed) return;
    session.closed = true;
    this.sessions.delete(session.id);
    const stopped = this.router.forgetWorker(session);
    const released = this.options.channels.releaseCreatedBy(session.id);
    this.options.logger.info(
      `worker ${session.label()} left: ${why}; ${session.functions.size} functions released, ` +
        `${stopped} invocations stopped, ${released} channels released`,
    );
  }

  closeAll(): void {
    for (const session of this.sessions.values()) session.ws.terminate();
  }
}
