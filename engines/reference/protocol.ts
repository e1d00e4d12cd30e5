// Decoding of worker frames. Like the engine (notes §1.1), anything that
// does not parse, is not an object, or has an unknown `type` is reported as
// a `DecodeFailure` for the caller to log and drop; it never throws.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ErrorBody {
  code: string;
  message: string;
  stacktrace?: string;
}

export type WorkerMessage =
  | { type: 'registerfunction'; id: string }
  | { type: 'unregisterfunction'; id: string }
  | { type: 'invokefunction'; invocation: InvokeFunction }
  | { type: 'invocationresult'; result: InvocationResult }
  | { type: 'reattach'; previousWorkerId: string; reattachToken: string | undefined }
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'ignored'; tag: string };

export interface InvokeFunction {
  invocationId: string | undefined;
  functionId: string;
  /** §2.5: a missing `data` is treated as null rather than dropped. */
  data: Json;
  namespace: string | undefined;
  action: 'sync' | 'void' | 'enqueue';
  traceparent: string | undefined;
  baggage: string | undefined;
  metadata: Json | undefined;
}

export interface InvocationResult {
  invocationId: string;
  functionId: string;
  result: Json | undefined;
  error: ErrorBody | undefined;
}

export type Decoded =
  | { ok: true; message: WorkerMessage }
  | { ok: false; reason: string }
  | { ok: 'telemetry' }
  | { ok: 'empty' };

// Messages the engine knows but which a channel broker has no use for;
// they are accepted silently (notes §2.1).
const IGNORED = new Set([
  'registertriggertype',
  'registertrigger',
  'unregistertrigger',
  'triggerregistrationresult',
  'registerservice',
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TELEMETRY_PREFIXES = ['OTLP', 'MTRC', 'LOGS'];

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function decodeFrame(data: Buffer, isBinary: boolean): Decoded {
  if (isBinary && TELEMETRY_PREFIXES.includes(data.subarray(0, 4).toString('latin1'))) {
    return { ok: 'telemetry' };
  }
  const text = data.toString('utf8');
  if (text.trim() === '') return { ok: 'empty' };

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON (${(err as Error).message})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, reason: 'JSON is not an object' };
  }
  return decodeObject(parsed as JsonObject);
}

function decodeObject(msg: JsonObject): Decoded {
  const type = msg.type;
  if (typeof type !== 'string') return { ok: false, reason: 'missing string `type`' };
  if (IGNORED.has(type)) return { ok: true, message: { type: 'ignored', tag: type } };

  switch (type) {
    case 'registerfunction':
    case 'unregisterfunction':
      if (typeof msg.id !== 'string') return { ok: false, reason: `${type} without string id` };
      return { ok: true, message: { type, id: msg.id } };
    case 'invokefunction':
      return decodeInvoke(msg);
    case 'invocationresult':
      return decodeResult(msg);
    case 'reattach':
      return {
        ok: true,
        message: {
          type,
          previousWorkerId: String(msg.previous_worker_id ?? ''),
          reattachToken: typeof msg.reattach_token === 'string' ? msg.reattach_token : undefined,
        },
      };
    case 'ping':
    case 'pong':
      return { ok: true, message: { type } };
    default:
      return { ok: false, reason: `unknown type ${JSON.stringify(type).slice(0, 64)}` };
  }
}

function optionalString(value: Json | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function decodeInvoke(msg: JsonObject): Decoded {
  if (typeof msg.function_id !== 'string') {
    return { ok: false, reason: 'invokefunction without string function_id' };
  }
  const id = msg.invocation_id;
  if (id !== undefined && id !== null && !isUuid(id)) {
    return { ok: false, reason: 'invokefunction with a non-UUID invocation_id' };
  }
  const actionType =
    msg.action && typeof msg.action === 'object' && !Array.isArray(msg.action)
      ? msg.action.type
      : undefined;
  const action = actionType === 'void' ? 'void' : actionType === 'enqueue' ? 'enqueue' : 'sync';

  return {
    ok: true,
    message: {
      type: 'invokefunction',
      invocation: {
        invocationId: id ?? undefined,
        functionId: msg.function_id,
        data: msg.data === undefined ? null : msg.data,
        namespace: optionalString(msg.namespace),
        action,
        traceparent: optionalString(msg.traceparent),
        baggage: optionalString(msg.baggage),
        metadata: msg.metadata ?? undefined,
      },
    },
  };
}

function decodeResult(msg: JsonObject): Decoded {
  if (!isUuid(msg.invocation_id)) {
    return { ok: false, reason: 'invocationresult without UUID invocation_id' };
  }
  const rawError = msg.error;
  let error: ErrorBody | undefined;
  if (rawError && typeof rawError === 'object' && !Array.isArray(rawError)) {
    error = {
      code: String(rawError.code ?? 'invocation_error'),
      message: String(rawError.message ?? ''),
      ...(typeof rawError.stacktrace === 'string' ? { stacktrace: rawError.stacktrace } : {}),
    };
  }
  return {
    ok: true,
    message: {
      type: 'invocationresult',
      result: {
        invocationId: msg.invocation_id,
        functionId: typeof msg.function_id === 'string' ? msg.function_id : '',
        result: msg.result ?? undefined,
        error,
      },
    },
  };
}
