// The expectation of a cell, computed by the harness alone from the plan:
// what a perfect channel delivers to the reader.
import { createHash } from 'node:crypto';
import type { Plan, Slice } from './schema/types.ts';
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
  const key = JSON.stringify(plan.ops);
  const hit = cache.get(key);
  if (hit) return hit;

  const slices: Slice[] = [];
  const texts: { utf8: Buffer; record: ExpectedText }[] = [];
  let bytes = 0;
  for (const op of plan.ops) {
    if ('bytes' in op) {
      const { seed, offset = 0, length } = op.bytes;
      if (length > 0) slices.push({ seed, offset, length });
      bytes += length;
    } else if ('text' in op) {
      const value = textValue(op.text);
      const utf8 = Buffer.from(value, 'utf8');
      const sha256 = createHash('sha256').update(utf8).digest('hex');
      const preview = Array.from(value).slice(0, 16).join('');
      texts.push({ utf8, record: { length: utf8.length, sha256, at_byte: bytes, preview } });
    } else if ('exit' in op || 'abort' in op) {
      // A plan that kills its writer has no defined end; scenarios that use
      // these ops judge the reader by their own rules.
      break;
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
