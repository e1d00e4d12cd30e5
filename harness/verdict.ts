// Turns digests into a verdict and a reason that reads like a bug report:
// what was expected, what was observed, where they first part.
import type { Expected, ExpectedText } from './expected.ts';
import type { Digest, TextRecord } from './schema/types.ts';

export type Verdict =
  | 'PASS'
  | 'INFO'
  | 'FAIL'
  | 'NON-STRICT'
  | 'XFAIL'
  | 'XPASS'
  | 'SKIP'
  | 'ERROR'
  | 'TIMEOUT';

export interface Finding {
  verdict: Exclude<Verdict, 'PASS' | 'XFAIL' | 'XPASS' | 'SKIP' | 'NON-STRICT' | 'INFO'>;
  reason: string;
}

const fmtBytes = (n: number) => `${n.toLocaleString('en-US')} B`;

function describeError(d: Digest): string {
  if (!d.error) return '';
  const { stage, code, message } = d.error;
  return `${stage || 'unknown stage'}: ${code || 'error'}${message ? ` ${message}` : ''}`;
}

/** Why a digest's binary content differs from the expectation, or null. */
export function byteDivergence(role: string, exp: Expected, got: Digest): string | null {
  if (got.bytes === exp.bytes && got.sha256 === exp.sha256) return null;
  const head =
    `${role} got ${fmtBytes(got.bytes)} (sha256 ${got.sha256.slice(0, 12)}…), ` +
    `expected ${fmtBytes(exp.bytes)} (sha256 ${exp.sha256.slice(0, 12)}…)`;
  const m = got.mismatch;
  if (m) {
    const where = `first differing byte at offset ${m.offset} (chunk ${m.chunk}, +${m.chunk_offset})`;
    const sides = `expected ${m.expected_hex || '<end of stream>'}, got ${m.actual_hex || '<end of stream>'}`;
    return `${head}; ${where}: ${sides}`;
  }
  if (got.bytes < exp.bytes) return `${head}; stream cut short (no byte-level evidence reported)`;
  return `${head}; no byte-level evidence reported`;
}

const sameText = (a: ExpectedText | TextRecord, b: ExpectedText | TextRecord) =>
  a.sha256 === b.sha256 && a.length === b.length;

const label = (t: ExpectedText | TextRecord, i: number) =>
  `text #${i} ${JSON.stringify(t.preview)} (${t.length} B)`;

/** Names the first missing, extra or reordered text, or null when equal. */
export function textDivergence(
  role: string,
  exp: readonly ExpectedText[],
  got: readonly TextRecord[],
): string | null {
  const n = Math.max(exp.length, got.length);
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (!exp[i] || !got[i] || !sameText(exp[i], got[i])) {
      first = i;
      break;
    }
  }
  if (first < 0) return null;

  const missing = exp.filter((e) => !got.some((g) => sameText(e, g)));
  const extra = got.filter((g) => !exp.some((e) => sameText(e, g)));
  const counts = `${role} got ${got.length} texts, expected ${exp.length}`;
  if (missing.length > 0) {
    const i = exp.indexOf(missing[0]);
    return `${counts}; missing ${label(missing[0], i)}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}`;
  }
  if (extra.length > 0) {
    const i = got.indexOf(extra[0]);
    return `${counts}; unexpected ${label(extra[0], i)}`;
  }
  if (got.length !== exp.length) return `${counts}; duplicated ${label(got[first], first)}`;
  return `${counts}; reordered from ${label(exp[first], first)}: got ${label(got[first], first)} there`;
}

/** Text positions relative to the binary stream (at_byte), or null when equal. */
export function orderDivergence(
  role: string,
  exp: readonly ExpectedText[],
  got: readonly TextRecord[],
): string | null {
  for (let i = 0; i < Math.min(exp.length, got.length); i++) {
    if (exp[i].at_byte !== got[i].at_byte) {
      return (
        `${role} saw ${label(got[i], i)} after byte ${got[i].at_byte}, ` +
        `but it was sent after byte ${exp[i].at_byte}`
      );
    }
  }
  return null;
}

/** The writer must have handed over exactly the plan; otherwise the worker is at fault. */
export function judgeWriter(exp: Expected, writer: Digest): Finding | null {
  if (writer.end === 'timeout') {
    return {
      verdict: 'TIMEOUT',
      reason: `writer still blocked at its deadline after handing over ${fmtBytes(writer.bytes)} of ${fmtBytes(exp.bytes)}`,
    };
  }
  if (writer.end === 'error') {
    return {
      verdict: 'FAIL',
      reason: `writer failed at ${describeError(writer)} after ${fmtBytes(writer.bytes)}`,
    };
  }
  const bytes = byteDivergence('writer', exp, writer);
  const texts = textDivergence('writer', exp.texts, writer.texts);
  if (bytes || texts) {
    return { verdict: 'ERROR', reason: `worker fault, not interop: ${bytes ?? texts}` };
  }
  return null;
}

/** A reader (or relay input) must have received exactly the expectation and a clean end. */
export function judgeReader(
  role: string,
  exp: Expected,
  reader: Digest,
  checkOrder = false,
): Finding | null {
  const progress =
    `${fmtBytes(reader.bytes)} of ${fmtBytes(exp.bytes)} and ` +
    `${reader.texts.length} of ${exp.texts.length} texts`;
  if (reader.end === 'timeout') {
    return {
      verdict: 'TIMEOUT',
      reason: `${role} still waiting at its deadline after ${progress}`,
    };
  }
  if (reader.end === 'error') {
    return {
      verdict: 'FAIL',
      reason: `${role} failed at ${describeError(reader)} after ${progress}`,
    };
  }
  // Bytes and texts can both be wrong (a stream cut short loses both); the
  // reason names every kind of damage, bytes first.
  const problems = [
    byteDivergence(role, exp, reader),
    textDivergence(role, exp.texts, reader.texts),
  ].filter((p): p is string => p !== null);
  if (problems.length === 0 && checkOrder) {
    const order = orderDivergence(role, exp.texts, reader.texts);
    if (order) problems.push(order);
  }
  if (problems.length > 0) return { verdict: 'FAIL', reason: problems.join('; and ') };
  if (reader.end !== 'closed') {
    return {
      verdict: 'FAIL',
      reason: `${role} ended with "${reader.end}" instead of a clean close`,
    };
  }
  return null;
}
