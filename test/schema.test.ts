import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeDescriptorSet } from '../harness/schema/descriptor.ts';
import { parseDigest, parseMessage, planToJson } from '../harness/schema/messages.ts';

describe('schema', () => {
  it('committed descriptor set matches fixtures/conformance.proto (run npm run gen:descriptor)', () => {
    const committed = readFileSync('fixtures/conformance.descriptor.pb');
    expect(Buffer.from(encodeDescriptorSet()).equals(committed)).toBe(true);
  });

  it('rejects unknown fields, wrong types and negative counts with the field path', () => {
    expect(() => parseDigest({ bytez: 1 })).toThrow('Digest.bytez: unknown field');
    expect(() => parseDigest({ bytes: -1 })).toThrow('Digest.bytes: expected a uint32');
    expect(() => parseDigest({ bytes: '5' })).toThrow('expected a uint32');
    expect(() => parseDigest({ texts: [{ length: 1, oops: true }] })).toThrow('texts[0].oops');
    expect(() => parseDigest({ end: 7 })).toThrow('Digest.end: expected a string');
    expect(() => parseMessage('Plan', { style: 'SOMETIMES' })).toThrow('one of');
  });

  it('fills defaults for absent fields', () => {
    const d = parseDigest({ role: 'reader' });
    expect(d.bytes).toBe(0);
    expect(d.texts).toEqual([]);
  });

  it('writes plans in the snake_case JSON form with enum names', () => {
    const json = planToJson({
      ops: [{ bytes: { seed: 's', length: 3, chunk: 0 } }],
      style: 'FIRE_AND_FORGET',
    });
    expect(json).toEqual({
      ops: [{ bytes: { seed: 's', length: 3, chunk: 0 } }],
      style: 'FIRE_AND_FORGET',
    });
  });
});
