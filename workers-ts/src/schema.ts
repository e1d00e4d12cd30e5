// Strict validation of incoming requests against fixtures/conformance.proto.
// protobufjs's fromObject coerces "-1" and "x" into numbers, so every field is
// checked by hand first: unknown key, wrong type or negative uint -> rejected.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_PATH = fileURLToPath(new URL('../../fixtures/conformance.proto', import.meta.url));
const root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true });
root.resolveAll();

export const messageType = (name: string): protobuf.Type =>
  root.lookupType(`iii_conformance.v1.${name}`);

/**
 * The iii-sdk 0.22.1 answers every thrown error with code "invocation_failed"
 * (it never reads error.code), so the contract's INVALID_REQUEST code also
 * leads the message, where a caller on any SDK can see it.
 */
export class InvalidRequest extends Error {
  readonly code = 'INVALID_REQUEST';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`INVALID_REQUEST: ${field || '(payload)'}: ${detail}`);
    this.name = 'InvalidRequest';
  }
}

const RANGES: Record<string, [number, number]> = {
  uint32: [0, 0xffff_ffff],
  int32: [-0x8000_0000, 0x7fff_ffff],
};

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function show(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? String(value);
}

function checkValue(field: protobuf.Field, value: unknown, path: string): void {
  const type = field.resolvedType;
  if (type instanceof protobuf.Type) {
    checkMessage(type, value, path);
    return;
  }

  if (type instanceof protobuf.Enum) {
    const names = Object.keys(type.values);
    if (typeof value === 'string' && names.includes(value)) return;
    throw new InvalidRequest(path, `expected one of ${names.join(', ')}, got ${show(value)}`);
  }

  const range = RANGES[field.type];
  if (range) {
    const ok = typeof value === 'number' && Number.isInteger(value);
    if (ok && value >= range[0] && value <= range[1]) return;
    const what = field.type === 'uint32' ? 'a non-negative integer' : 'an int32';
    throw new InvalidRequest(path, `expected ${what}, got ${show(value)}`);
  }
  if (field.type === 'string' && typeof value === 'string') return;
  if (field.type === 'bool' && typeof value === 'boolean') return;
  if (field.type === 'string' || field.type === 'bool') {
    throw new InvalidRequest(path, `expected a ${field.type}, got ${show(value)}`);
  }
  throw new InvalidRequest(path, `field type ${field.type} is not supported by this worker`);
}

/** Walks `value` against `type`; null means "the default", as in proto3 JSON. */
export function checkMessage(type: protobuf.Type, value: unknown, path: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidRequest(path, `expected an object, got ${show(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    const field = type.fields[key];
    if (!field) throw new InvalidRequest(join(path, key), 'unknown field');
    if (child === null || child === undefined) continue;
    if (!field.repeated) {
      checkValue(field, child, join(path, key));
      continue;
    }
    if (!Array.isArray(child)) {
      throw new InvalidRequest(join(path, key), `expected a list, got ${show(child)}`);
    }
    for (const [i, item] of child.entries()) checkValue(field, item, `${join(path, key)}[${i}]`);
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.oneof.filter((name) => record[name] !== null && record[name] !== undefined);
    if (set.length > 1) {
      throw new InvalidRequest(join(path, oneof.name), `more than one of ${set.join(', ')}`);
    }
  }
}

/**
 * Checks `json` strictly, then returns it with every default filled in
 * (numbers 0, strings "", enums by name, lists empty, messages null).
 */
export function parseStrict<T>(name: string, json: unknown): T {
  const type = messageType(name);
  checkMessage(type, json, '');
  const message = type.fromObject(json as Record<string, unknown>);
  return type.toObject(message, {
    enums: String,
    defaults: true,
    arrays: true,
    oneofs: true,
  }) as T;
}
