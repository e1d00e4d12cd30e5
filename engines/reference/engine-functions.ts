// The two `engine::` functions the SDKs call on their own (notes §1.4, §3.1).

import type { ChannelRegistry } from './channel-registry.ts';
import type { ErrorBody, Json } from './protocol.ts';
import type { WorkerSession } from './worker-session.ts';

export type BuiltinOutcome = { result: Json } | { error: ErrorBody };

export interface BuiltinContext {
  caller: WorkerSession;
  channels: ChannelRegistry;
  /** Applies engine::workers::register's name and namespace to the caller. */
  registerWorker(caller: WorkerSession, data: Json): void;
}

export type Builtin = (ctx: BuiltinContext, data: Json) => BuiltinOutcome;

export const CHANNELS_CREATE = 'engine::channels::create';
export const WORKERS_REGISTER = 'engine::workers::register';

// Engine defaults (§3.2): absent/null -> 64, capped at 1024, 0 -> 1.
const DEFAULT_BUFFER_SIZE = 64;
const MAX_BUFFER_SIZE = 1024;

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  [CHANNELS_CREATE, createChannel],
  [
    WORKERS_REGISTER,
    (ctx, data) => {
      ctx.registerWorker(ctx.caller, data);
      return { result: null };
    },
  ],
]);

function createChannel(ctx: BuiltinContext, data: Json): BuiltinOutcome {
  const size = parseBufferSize(data);
  if (typeof size !== 'number') return { error: size };
  const { writer, reader } = ctx.channels.create(size, ctx.caller.id);
  return { result: { writer: { ...writer }, reader: { ...reader } } };
}

export function parseBufferSize(data: Json): number | ErrorBody {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return deserializationError(`invalid type: ${describe(data)}, expected a map`);
  }
  const value = data.buffer_size;
  if (value === undefined || value === null) return DEFAULT_BUFFER_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    return deserializationError(`invalid value: ${describe(value)}, expected usize`);
  }
  return Math.max(1, Math.min(MAX_BUFFER_SIZE, value));
}

function deserializationError(detail: string): ErrorBody {
  return {
    code: 'deserialization_error',
    message: `Failed to deserialize input for ${CHANNELS_CREATE}: ${detail}`,
  };
}

function describe(value: Json | undefined): string {
  if (Array.isArray(value)) return 'sequence';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'map';
  return `${typeof value} \`${String(value).slice(0, 32)}\``;
}
