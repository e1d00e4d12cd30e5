// Request validation against fixtures/conformance.proto, loaded at start-up
// with protobufjs. A malformed request becomes an INVALID_REQUEST error whose
// message names the field; it never reaches the channel code.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO =
  process.env.III_CONFORMANCE_PROTO ??
  fileURLToPath(new URL('../../../fixtures/conformance.proto', import.meta.url));
const root = new protobuf.Root().loadSync(PROTO, { keepCase: true });
root.resolveAll();

/**
 * The npm SDK answers every thrown error with code `invocation_failed`, so the
 * contract's code travels as the message prefix (worker-contract.md).
 */
export class InvalidRequest extends Error {
  readonly code = 'INVALID_REQUEST';
  constructor(path: string, detail: string) {
    super(`INVALID_REQUEST: ${path}: ${detail}`);
  }
}

const RANGES: Record<string, [number, number]> = {
  uint32: [0, 0xffff_ffff],
  int32: [-0x8000_0000, 0x7fff_ffff],
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return `the number ${value}`;
  return `a ${typeof value}`;
}

function checkScalar(field: protobuf.Field, value: unknown, path: string): void {
  const fail = (what: string) =>
    new InvalidRequest(path, `expected ${what}, got ${JSON.stringify(value) ?? kindOf(value)}`);
  if (field.resolvedType instanceof protobuf.Enum) {
    const names = Object.keys(field.resolvedType.values);
    if (typeof value !== 'string' || !names.includes(value)) throw fail(`one of ${names}`);
    return;
  }
  if (field.resolvedType instanceof protobuf.Type) {
    checkMessage(field.resolvedType, value, path);
    return;
  }
  const range = RANGES[field.type];
  if (range) {
    const ok = typeof value === 'number' && Number.isInteger(value);
    if (!ok || value < range[0] || value > range[1]) {
      throw fail(`an integer in [${range[0]}, ${range[1]}]`);
    }
    return;
  }
  if (field.type === 'string' && typeof value !== 'string') throw fail('a string');
  if (field.type === 'bool' && typeof value !== 'boolean') throw fail('a boolean');
}

function checkMessage(type: protobuf.Type, value: unknown, path: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidRequest(path, `expected an object, got ${kindOf(value)}`);
  }
  const setOneofs = new Map<string, string>();
  for (const [key, child] of Object.entries(value)) {
    const field = type.fields[key];
    const where = `${path}.${key}`;
    if (!field) throw new InvalidRequest(where, 'unknown field');
    if (child === null || child === undefined) continue;
    const oneof = field.partOf?.name;
    if (oneof) {
      const other = setOneofs.get(oneof);
      if (other) throw new InvalidRequest(path, `sets ${other} and ${key}; exactly one is allowed`);
      setOneofs.set(oneof, key);
    }
    if (field.repeated) {
      if (!Array.isArray(child))
        throw new InvalidRequest(where, `expected a list, got ${kindOf(child)}`);
      child.forEach((item, i) => {
        checkScalar(field, item, `${where}[${i}]`);
      });
    } else {
      checkScalar(field, child, where);
    }
  }
}

/** Checks `value` (refs and engine keys already removed) as message `name`. */
export function validate<T>(name: string, value: unknown): T {
  checkMessage(root.lookupType(`iii_conformance.v1.${name}`), value, name);
  return value as T;
}

// The JSON shapes this worker reads; absent fields mean the proto default.
export type WriteStyle = 'WRITE_STYLE_UNSPECIFIED' | 'AWAITED' | 'FIRE_AND_FORGET';
export type ReadStyle = 'READ_STYLE_UNSPECIFIED' | 'READ_ALL' | 'STREAM';

export interface Slice {
  seed?: string;
  offset?: number;
  length?: number;
}

export type Op =
  | { bytes: Slice & { chunk?: number } }
  | { text: { value?: string; repeat?: number } }
  | { pause: { ms?: number } }
  | { close: Record<string, never> }
  | { abort: Record<string, never> }
  | { exit: { code?: number } };

export interface Plan {
  ops?: Op[];
  style?: WriteStyle;
}

export interface ReadSpec {
  style?: ReadStyle;
  texts?: boolean;
  start_delay_ms?: number;
  chunk_delay_ms?: number;
  stop_after_bytes?: number;
  expect?: Slice[];
}

export interface Produce {
  buffer_size?: number;
  reader_function?: string;
  read?: ReadSpec;
  ref_placement?: string;
}

export interface WriteRequest {
  cell?: string;
  plan?: Plan;
  produce?: Produce;
  deadline_ms?: number;
}

export interface ReadRequest {
  cell?: string;
  read?: ReadSpec;
  deadline_ms?: number;
}

export interface RelayRequest {
  cell?: string;
  read?: ReadSpec;
  style?: WriteStyle;
  deadline_ms?: number;
}
