// Typed access to fixtures/conformance.proto. Everything a worker sends back
// is checked here before a verdict looks at it: an unknown field, a wrong type
// or a missing digest is a worker fault with a precise message, never a
// silently defaulted value.
import protobuf from 'protobufjs';
import { PROTO_PATH } from './descriptor.ts';
import type {
  Description,
  Digest,
  Plan,
  ReadResult,
  ReadSpec,
  RecallResult,
  RelayResult,
  WriteResult,
} from './types.ts';

const root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true });
root.resolveAll();
const PACKAGE = 'iii_conformance.v1';

export function messageType(name: string): protobuf.Type {
  return root.lookupType(`${PACKAGE}.${name}`);
}

export class SchemaError extends Error {
  readonly code = 'SCHEMA';
  constructor(
    readonly messageName: string,
    readonly path: string,
    detail: string,
  ) {
    super(`${messageName}${path ? `.${path}` : ''}: ${detail}`);
  }
}

/** Rejects keys the schema does not know, then lets protobufjs check types. */
function checkKnownKeys(type: protobuf.Type, value: unknown, path: string, top: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SchemaError(top, path, `expected an object, got ${describeValue(value)}`);
  }
  for (const [key, child] of Object.entries(value)) {
    const field = type.fields[key];
    if (!field) throw new SchemaError(top, join(path, key), 'unknown field');
    if (!(field.resolvedType instanceof protobuf.Type)) {
      const items = field.repeated && Array.isArray(child) ? child : [child];
      for (const item of items) checkScalar(field, item, join(path, key), top);
      continue;
    }
    const nested = field.resolvedType;
    if (field.repeated) {
      if (!Array.isArray(child)) throw new SchemaError(top, join(path, key), 'expected a list');
      for (const [i, item] of child.entries()) {
        checkKnownKeys(nested, item, `${join(path, key)}[${i}]`, top);
      }
    } else if (child !== null && child !== undefined) {
      checkKnownKeys(nested, child, join(path, key), top);
    }
  }
}

const INTEGER_RANGES: Record<string, [number, number]> = {
  uint32: [0, 0xffff_ffff],
  int32: [-0x8000_0000, 0x7fff_ffff],
};

function checkScalar(field: protobuf.Field, value: unknown, path: string, top: string): void {
  if (value === null || value === undefined) return;
  const fail = (what: string) =>
    new SchemaError(top, path, `expected ${what}, got ${JSON.stringify(value)}`);
  if (field.resolvedType instanceof protobuf.Enum) {
    const names = Object.keys(field.resolvedType.values);
    if (typeof value === 'string' && names.includes(value)) return;
    throw fail(`one of ${names.join(', ')}`);
  }
  const range = INTEGER_RANGES[field.type];
  if (range) {
    if (
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= range[0] &&
      value <= range[1]
    ) {
      return;
    }
    throw fail(`a ${field.type}`);
  }
  if (field.type === 'string' && typeof value !== 'string') throw fail('a string');
  if (field.type === 'bool' && typeof value !== 'boolean') throw fail('a boolean');
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value;
}

/**
 * Parses the JSON form of `name` strictly and returns it with defaults filled
 * in (numbers 0, strings "", enums by name, lists empty).
 */
export function parseMessage<T>(name: string, json: unknown): T {
  const type = messageType(name);
  checkKnownKeys(type, json, '', name);
  let message: protobuf.Message;
  try {
    message = type.fromObject(json as Record<string, unknown>);
  } catch (err) {
    throw new SchemaError(name, '', (err as Error).message);
  }
  const invalid = type.verify(message);
  if (invalid) throw new SchemaError(name, '', invalid);
  return type.toObject(message, { enums: String, defaults: true, arrays: true }) as T;
}

/** The JSON form that travels in payloads: defaults left out, enums by name. */
export function toJson(name: string, value: unknown): Record<string, unknown> {
  const type = messageType(name);
  checkKnownKeys(type, value, '', name);
  const message = type.fromObject(value as Record<string, unknown>);
  return type.toObject(message, { enums: String, defaults: false }) as Record<string, unknown>;
}

export const parseDigest = (json: unknown): Digest => parseMessage<Digest>('Digest', json);
export const parseWriteResult = (json: unknown): WriteResult =>
  parseMessage<WriteResult>('WriteResult', json);
export const parseReadResult = (json: unknown): ReadResult =>
  parseMessage<ReadResult>('ReadResult', json);
export const parseRelayResult = (json: unknown): RelayResult =>
  parseMessage<RelayResult>('RelayResult', json);
export const parseRecallResult = (json: unknown): RecallResult =>
  parseMessage<RecallResult>('RecallResult', json);
export const parseDescription = (json: unknown): Description =>
  parseMessage<Description>('Description', json);
export const planToJson = (plan: Plan): Record<string, unknown> => toJson('Plan', plan);
export const readSpecToJson = (spec: ReadSpec): Record<string, unknown> => toJson('ReadSpec', spec);
