import { describe, expect, it } from 'vitest';
import { expectedFor, hashTexts } from '../harness/expected.ts';
import type { Digest } from '../harness/schema/types.ts';
import { judgeReader, judgeWriter, textDivergence } from '../harness/verdict.ts';
import { bytes, close, plan, text } from '../scenarios/plans.ts';
import { digestOf } from './helpers/judging.ts';

const p = plan([text('a'), bytes('v', 1000), text('b 🚀'), close()]);
const exp = expectedFor(p);
const perfectDigest = (role: string): Digest => digestOf(role, 'ts', exp);

describe('verdicts', () => {
  it('passes a digest that matches the expectation exactly', () => {
    expect(judgeReader('reader', exp, perfectDigest('reader'))).toBeNull();
    expect(judgeWriter(exp, perfectDigest('writer'))).toBeNull();
  });

  it('fails a corrupted byte and names the first differing offset and chunk', () => {
    const got = {
      ...perfectDigest('reader'),
      sha256: 'f'.repeat(64),
      mismatch: { offset: 517, chunk: 0, chunk_offset: 517, expected_hex: '1a', actual_hex: '1b' },
    };
    const finding = judgeReader('reader', exp, got);
    expect(finding?.verdict).toBe('FAIL');
    expect(finding?.reason).toContain('first differing byte at offset 517 (chunk 0, +517)');
    expect(finding?.reason).toContain('expected 1a, got 1b');
  });

  it('fails a dropped text and names it', () => {
    const got = { ...perfectDigest('reader'), texts: [perfectDigest('reader').texts[0]] };
    const finding = judgeReader('reader', exp, got);
    expect(finding?.verdict).toBe('FAIL');
    expect(finding?.reason).toContain('missing text #1 "b 🚀"');
  });

  it('names reordered and duplicated texts', () => {
    const [a, b] = exp.texts;
    expect(textDivergence('reader', exp.texts, [b, a])).toContain('reordered from text #0');
    expect(textDivergence('reader', exp.texts, [a, b, b])).toContain('duplicated text #2');
  });

  it('treats a clean but truncated stream as a failure, not a pass', () => {
    const got = { ...perfectDigest('reader'), bytes: 10, sha256: '0'.repeat(64) };
    expect(judgeReader('reader', exp, got)?.reason).toContain('stream cut short');
  });

  it('reports a reader deadline as TIMEOUT with its progress', () => {
    const got = { ...perfectDigest('reader'), bytes: 10, end: 'timeout' };
    const finding = judgeReader('reader', exp, got);
    expect(finding?.verdict).toBe('TIMEOUT');
    expect(finding?.reason).toContain('10 B of 1,000 B');
  });

  it('blames the worker, not the channel, when the writer handed over other bytes', () => {
    const got = { ...perfectDigest('writer'), bytes: 999, sha256: '1'.repeat(64) };
    expect(judgeWriter(exp, got)?.verdict).toBe('ERROR');
  });

  it('hashes texts with a length prefix so boundaries count', () => {
    const ab = hashTexts([{ utf8: Buffer.from('ab') }]);
    const aThenB = hashTexts([{ utf8: Buffer.from('a') }, { utf8: Buffer.from('b') }]);
    expect(ab).not.toBe(aThenB);
  });
});
