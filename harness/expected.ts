// The expectation of a cell, computed by the harness alone from the plan:
// what a perfect channel delivers to the reader.
import { createHash } from 'node:crypto';
import type { Scenario } from '../scenarios/types.ts';
import type { RawOp } from './raw-peer/index.ts';
import type { Op, Plan, Slice } from './schema/types.ts';
import { forEachPiece } from './seeded-stream.ts';

export interface ExpectedText {
  length: number;
  sha256: string;
  at_byte: number;
  preview: string;
}

export interface Expected {
  bytes: number;
  sha256: string;
  texts: ExpectedText[];
  texts_sha256: string;
  /** The byte stream as seeded slices, handed to readers as evidence only. */
  slices: Slice[];
}

const cache = new Map<string, Expected>();

export function textValue(op: { value: string; repeat?: number }): string {
  return op.value.repeat(Math.max(1, op.repeat ?? 0));
}

/** SHA-256 over u32be(utf8 length) || utf8, per text in order (worker-contract.md). */
export function hashTexts(texts: readonly { utf8: Buffer }[]): string {
  const hash = createHash('sha256');
  const prefix = Buffer.alloc(4);
  for (const { utf8 } of texts) {
    prefix.writeUInt32BE(utf8.length);
    hash.update(prefix).update(utf8);
  }
  return hash.digest('hex');
}

export function expectedFor(plan: Plan): Expected {
  return expectedForOps(plan.ops);
}

export function expectedForScenario(scenario: Scenario): Expected {
  return expectedForOps(scenario.rawOps ?? scenario.plan.ops);
}

/** Binary payload of a raw frame op, as a seeded slice, when it is one. */
function rawBinarySlice(op: RawOp): Slice | null {
  const spec = 'frame' in op ? op.frame.payload : 'fragmented' in op ? op.fragmented.payload : null;
  const binary =
    ('frame' in op && ['binary', 2].includes(op.frame.opcode)) ||
    ('fragmented' in op && op.fragmented.kind === 'binary');
  if (!binary || !spec || !('seed' in spec)) return null;
  return { seed: spec.seed, offset: spec.offset ?? 0, length: spec.length };
}

/** Text of a raw frame op that carries a well-formed text message. */
function rawText(op: RawOp): string | null {
  const spec = 'frame' in op ? op.frame.payload : 'fragmented' in op ? op.fragmented.payload : null;
  const isText =
    ('frame' in op && ['text', 1].includes(op.frame.opcode)) ||
    ('fragmented' in op && op.fragmented.kind === 'text');
  return isText && spec && 'text' in spec ? spec.text : null;
}

function expectedForOps(ops: readonly (Op | RawOp)[]): Expected {
  const key = JSON.stringify(ops);
  const hit = cache.get(key);
  if (hit) return hit;

  const slices: Slice[] = [];
  const texts: { utf8: Buffer; record: ExpectedText }[] = [];
  let bytes = 0;
  const addText = (value: string) => {
    const utf8 = Buffer.from(value, 'utf8');
    const sha256 = createHash('sha256').update(utf8).digest('hex');
    const preview = Array.from(value).slice(0, 16).join('');
    texts.push({ utf8, record: { length: utf8.length, sha256, at_byte: bytes, preview } });
  };
  for (const op of ops) {
    if ('bytes' in op) {
      const { seed, offset = 0, length } = op.bytes;
      if (length > 0) slices.push({ seed, offset, length });
      bytes += length;
    } else if ('text' in op) {
      addText(textValue(op.text));
    } else if ('exit' in op || 'abort' in op || 'end' in op || 'invalidUtf8Text' in op) {
      // What follows a writer's death, a dropped socket or a broken frame has
      // no defined delivery; scenarios that do this judge by their own rules.
      break;
    } else {
      const slice = rawBinarySlice(op as RawOp);
      if (slice) {
        if (slice.length > 0) slices.push(slice);
        bytes += slice.length;
      }
      const value = rawText(op as RawOp);
      if (value !== null) addText(value);
    }
  }

  const hash = createHash('sha256');
  forEachPiece(slices, (piece) => hash.update(piece));
  const expected: Expected = {
    bytes,
    sha256: hash.digest('hex'),
    texts: texts.map((t) => t.record),
    texts_sha256: hashTexts(texts),
    slices,
  };
  cache.set(key, expected);
  return expected;
}
