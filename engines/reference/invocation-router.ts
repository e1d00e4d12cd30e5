// Routes invokefunction from a caller to the function's owner with the
// same invocation_id, and the owner's invocationresult back (notes §2.2,
// §2.3). Like the engine it has no timeout of its own: the SDKs time out.

import { randomUUID } from 'node:crypto';
import type { ChannelRegistry } from './channel-registry.ts';
import { BUILTINS, type BuiltinContext } from './engine-functions.ts';
import type { Logger } from './log.ts';
import type { ErrorBody, InvocationResult, InvokeFunction, Json } from './protocol.ts';
import { DEFAULT_NAMESPACE, type WorkerSession } from './worker-session.ts';

interface Pending {
  /** Absent for void calls, or once the caller left. */
  callerId: string | undefined;
  calleeId: string;
  functionId: string;
  traceparent: string | undefined;
  baggage: string | undefined;
}

export interface InvocationRouterOptions {
  logger: Logger;
  channels: ChannelRegistry;
  sessions: ReadonlyMap<string, WorkerSession>;
  registerWorker: BuiltinContext['registerWorker'];
}

export class InvocationRouter {
  private readonly pending = new Map<string, Pending>();
  routed = 0;

  constructor(private readonly options: InvocationRouterOptions) {}

  get inFlight(): number {
    return this.pending.size;
  }

  findOwner(namespace: string, functionId: string): WorkerSession | undefined {
    for (const session of this.options.sessions.values()) {
      if (!session.closed && session.namespace === namespace && session.functions.has(functionId)) {
        return session;
      }
    }
    return undefined;
  }

  invoke(caller: WorkerSession, call: InvokeFunction): void {
    const reply = (outcome: { result?: Json; error?: ErrorBody }) => {
      if (call.invocationId === undefined) return;
      sendResult(caller, call.invocationId, call.functionId, outcome, call);
    };

    if (call.namespace !== undefined && call.namespace.trim() === '') {
      reply({ error: { code: 'INVALID_NAMESPACE', message: 'namespace must not be empty' } });
      return;
    }
    const namespace = call.namespace ?? DEFAULT_NAMESPACE;

    // The engine adds the caller's id to object payloads (§2.2 step 3).
    const data =
      call.data !== null && typeof call.data === 'object' && !Array.isArray(call.data)
        ? { ...call.data, _caller_worker_id: caller.id }
        : call.data;

    const builtin = namespace === DEFAULT_NAMESPACE ? BUILTINS.get(call.functionId) : undefined;
    if (builtin) {
      const ctx: BuiltinContext = {
        caller,
        channels: this.options.channels,
        registerWorker: this.options.registerWorker,
      };
      reply(builtin(ctx, data));
      return;
    }

    if (call.action === 'enqueue') {
      reply({ error: { code: 'enqueue_error', message: 'No queue provider in this broker' } });
      return;
    }

    const callee = this.findOwner(namespace, call.functionId);
    if (!callee) {
      this.options.logger.info(
        `worker ${caller.label()}: ${call.functionId} not found in namespace ${namespace}`,
      );
      reply({ error: notFound(call.functionId, namespace, this.namespacesOf(call.functionId)) });
      return;
    }

    // A void call (no id) still reaches the callee with a fresh id (§2.2).
    const invocationId = call.invocationId ?? randomUUID();
    this.pending.set(invocationId, {
      callerId: call.invocationId === undefined ? undefined : caller.id,
      calleeId: callee.id,
      functionId: call.functionId,
      traceparent: call.traceparent,
      baggage: call.baggage,
    });
    this.routed++;
    this.options.logger.debug(
      `invoke ${call.functionId} ${caller.label()} -> ${callee.label()} [${invocationId}]`,
    );
    callee.send({
      type: 'invokefunction',
      invocation_id: invocationId,
      function_id: call.functionId,
      data,
      ...(call.traceparent !== undefined && { traceparent: call.traceparent }),
      ...(call.baggage !== undefined && { baggage: call.baggage }),
      ...(call.metadata !== undefined && { metadata: call.metadata }),
    });
  }

  complete(from: WorkerSession, result: InvocationResult): void {
    const pending = this.pending.get(result.invocationId);
    if (!pending) {
      this.options.logger.debug(`worker ${from.label()}: result for unknown invocation dropped`);
      return;
    }
    this.pending.delete(result.invocationId);
    if (pending.callerId === undefined) return;

    const caller = this.options.sessions.get(pending.callerId);
    if (!caller) return;
    sendResult(caller, result.invocationId, pending.functionId, result, pending);
  }

  /** Session cleanup: halts calls it was serving, orphans calls it made. */
  forgetWorker(session: WorkerSession): number {
    let stopped = 0;
    for (const [id, pending] of this.pending) {
      if (pending.callerId === session.id) pending.callerId = undefined;
      if (pending.calleeId !== session.id) continue;
      this.pending.delete(id);
      stopped++;
      const caller = pending.callerId && this.options.sessions.get(pending.callerId);
      if (!caller) continue;
      sendResult(caller, id, pending.functionId, {
        error: { code: 'invocation_stopped', message: 'Invocation stopped' },
      });
    }
    return stopped;
  }

  private namespacesOf(functionId: string): string[] {
    const found = new Set<string>();
    for (const session of this.options.sessions.values()) {
      if (session.functions.has(functionId)) found.add(session.namespace);
    }
    return [...found].sort();
  }
}

function notFound(functionId: string, namespace: string, known: string[]): ErrorBody {
  const hint = known.length > 0 ? ` It is registered in namespace(s): ${known.join(', ')}.` : '';
  return {
    code: 'function_not_found',
    message: `Function ${functionId} not found in namespace ${namespace}.${hint}`,
  };
}

function sendResult(
  to: WorkerSession,
  invocationId: string,
  functionId: string,
  outcome: { result?: Json; error?: ErrorBody },
  trace: { traceparent?: string; baggage?: string } = {},
): void {
  // A null result goes out as an absent one, like serde's Option (§2.1).
  to.send({
    type: 'invocationresult',
    invocation_id: invocationId,
    function_id: functionId,
    ...(outcome.error
      ? { error: outcome.error }
      : outcome.result !== undefined && outcome.result !== null && { result: outcome.result }),
    ...(trace.traceparent !== undefined && { traceparent: trace.traceparent }),
    ...(trace.baggage !== undefined && { baggage: trace.baggage }),
  });
}
