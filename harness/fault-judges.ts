// Verdicts for cells that break the happy path on purpose. Each asks the
// user's question: did the side that should notice get an error, and did
// nobody see a clean end that hides missing data?
import type { StageReport } from './cell-runner.ts';
import type { Expected } from './expected.ts';
import type { Digest } from './schema/types.ts';
import { byteDivergence, type Finding, judgeReader, textDivergence } from './verdict.ts';

const fmt = (n: number) => `${n.toLocaleString('en-US')} B`;

function describeEnd(d: Digest): string {
  if (d.end === 'error' && d.error) return `error (${d.error.stage}: ${d.error.code})`;
  return `"${d.end}"`;
}

/** A finding that names the side it is about. */
export type StagedFinding = Finding & { stage: string };

/** The side holding a wrong key must see an error, not a stream. */
export function judgeWrongKey(side: 'reader' | 'writer', d: Digest): Finding | null {
  if (d.end === 'error') return null;
  if (d.end === 'timeout') {
    return {
      verdict: 'FAIL',
      reason: `${side} with a wrong access key was neither refused nor failed: still waiting at its deadline`,
    };
  }
  const what =
    side === 'reader'
      ? `read ${fmt(d.bytes)} and ${d.texts.length} texts`
      : `wrote ${fmt(d.bytes)}`;
  return {
    verdict: 'FAIL',
    reason: `${side} with a wrong access key ended ${describeEnd(d)} after it ${what}; it must be refused`,
  };
}

/**
 * Two readers on one ref: one must get the whole stream and the other an
 * error. A second reader that sees a clean empty stream cannot tell it lost.
 */
export function judgeSecondReader(exp: Expected, first: Digest, second: Digest): Finding | null {
  const delivered = [first, second].filter((d) => judgeReader('reader', exp, d) === null);
  const refused = [first, second].filter((d) => d.end === 'error');
  if (delivered.length === 1 && refused.length === 1) return null;
  const show = (d: Digest, n: number) => `reader ${n} ended ${describeEnd(d)} with ${fmt(d.bytes)}`;
  const both = `${show(first, 1)}; ${show(second, 2)}`;
  if (delivered.length === 0) {
    return { verdict: 'FAIL', reason: `neither reader got the stream: ${both}` };
  }
  return {
    verdict: 'FAIL',
    reason: `a second connect to a taken reader end was not refused: ${both}`,
  };
}

/** A ref used again after its stream finished must be refused. */
export function judgeReuse(second: Digest): Finding | null {
  if (second.end === 'error') return null;
  if (second.end === 'timeout') {
    return {
      verdict: 'FAIL',
      reason: 'a reader reusing a finished ref hung instead of being refused',
    };
  }
  return {
    verdict: 'FAIL',
    reason:
      `a reader reusing a finished ref ended ${describeEnd(second)} with ${fmt(second.bytes)}; ` +
      'it must be refused, not shown an empty stream',
  };
}

/**
 * The writer broke off mid-plan (its process died, its socket dropped or it
 * sent a frame the engine must reject): the reader must not see a clean end.
 */
export function judgeWriterDied(
  exp: Expected,
  reader: Digest,
  how: string,
  brokeAt = exp.bytes,
): Finding | null {
  if (reader.end === 'error') return null;
  if (reader.end === 'timeout') {
    return {
      verdict: 'FAIL',
      reason: `${how} after ${fmt(brokeAt)}; the reader hung until its deadline with ${fmt(reader.bytes)}`,
    };
  }
  const content =
    byteDivergence('reader', exp, reader) ??
    `reader got all ${fmt(reader.bytes)} sent before the exit`;
  return {
    verdict: 'FAIL',
    reason: `${how} mid-stream but the reader saw a clean end (${describeEnd(reader)}): ${content}`,
  };
}

/** The reader closed early: the writer must learn of it, not report success. */
export function judgeReaderStopped(
  exp: Expected,
  writer: StageReport,
  reader: Digest,
): Finding | null {
  if (reader.end !== 'stopped') {
    return {
      verdict: reader.end === 'timeout' ? 'TIMEOUT' : 'FAIL',
      reason: `reader was to stop early but the stream ended ${describeEnd(reader)} after ${fmt(reader.bytes)} of ${fmt(exp.bytes)}`,
    };
  }
  if (reader.mismatch && reader.mismatch.offset < reader.bytes) {
    return {
      verdict: 'FAIL',
      reason: byteDivergence('reader', exp, reader) ?? 'reader bytes differ',
    };
  }
  const w = writer.digest as Digest;
  if (w.end === 'error') return null;
  if (w.end === 'timeout') {
    return {
      verdict: 'FAIL',
      reason: `reader left after ${fmt(reader.bytes)}; the writer was still blocked at its deadline after ${fmt(w.bytes)} instead of failing`,
    };
  }
  return {
    verdict: 'FAIL',
    reason: `reader left after ${fmt(reader.bytes)}, yet the writer reported ${describeEnd(w)} after handing over ${fmt(w.bytes)} of ${fmt(exp.bytes)}: the rest was discarded silently`,
  };
}

/**
 * A reader that only registered a text callback must get every text, in
 * order, and nothing else; it stops once it has them. Getting none before the
 * deadline is the user's hang, so it is a failure, not a timeout of ours.
 */
export function judgeTextsOnly(exp: Expected, reader: Digest): Finding | null {
  const got = `${reader.texts.length} of ${exp.texts.length} texts`;
  if (reader.end === 'timeout') {
    return {
      verdict: 'FAIL',
      reason:
        `a reader with only a text callback got ${got} before its deadline ` +
        '(the SDK delivered no text to it without a binary read)',
    };
  }
  if (reader.end === 'error') {
    return {
      verdict: 'FAIL',
      reason: `a text-only reader ended ${describeEnd(reader)} after ${got}`,
    };
  }
  const texts = textDivergence('text-only reader', exp.texts, reader.texts);
  if (texts) return { verdict: 'FAIL', reason: texts };
  if (reader.bytes > 0) {
    return {
      verdict: 'ERROR',
      reason: `worker fault, not interop: a text-only reader consumed ${fmt(reader.bytes)} of binary`,
    };
  }
  return null;
}

/**
 * The engine restarted under a live channel, so the stream cannot complete.
 * The user's view: both ends learn it with an error before the deadline, and
 * above all the reader never sees a clean end that hides what was lost.
 */
export function judgeEngineRestart(
  exp: Expected,
  writer: Digest,
  reader: Digest,
): StagedFinding | null {
  const readerGot = `${fmt(reader.bytes)} of ${fmt(exp.bytes)}`;
  if (reader.end === 'timeout') {
    return {
      verdict: 'FAIL',
      stage: 'reader',
      reason: `reader still waiting at its deadline after the engine restarted (it had ${readerGot})`,
    };
  }
  if (reader.end !== 'error' && judgeReader('reader', exp, reader) !== null) {
    return {
      verdict: 'FAIL',
      stage: 'reader',
      reason: `reader saw a clean end ("${reader.end}") after ${readerGot} although the engine restarted mid-stream: the loss is silent`,
    };
  }
  if (writer.end === 'timeout') {
    return {
      verdict: 'FAIL',
      stage: 'writer',
      reason: `writer still blocked at its deadline after the engine restarted, having handed over ${fmt(writer.bytes)}`,
    };
  }
  if (writer.end !== 'error') {
    return {
      verdict: 'FAIL',
      stage: 'writer',
      reason: `writer ended ${describeEnd(writer)} after ${fmt(writer.bytes)} although the engine restarted and its channel is gone; it must see an error`,
    };
  }
  return null;
}

/**
 * The engine swept a channel whose reader never came. The writer still
 * holding it must hear so, and a reader arriving later must be refused:
 * a clean close on either side would hide that nothing was delivered.
 */
export function judgeSwept(writer: Digest, reader: Digest): StagedFinding | null {
  if (reader.end !== 'error') {
    const saw =
      reader.end === 'timeout' ? 'waited until its deadline' : `ended ${describeEnd(reader)}`;
    return {
      verdict: 'FAIL',
      stage: 'reader',
      reason: `a reader arriving after the sweep ${saw} with ${fmt(reader.bytes)}; it must be refused`,
    };
  }
  if (writer.end !== 'error') {
    const saw =
      writer.end === 'timeout'
        ? 'was still blocked at its deadline'
        : `ended ${describeEnd(writer)}`;
    return {
      verdict: 'FAIL',
      stage: 'writer',
      reason: `the writer of a swept channel ${saw} after ${fmt(writer.bytes)}; nobody can read it, so it must see an error`,
    };
  }
  return null;
}

/**
 * A side whose channel connection was accepted but never upgraded must give
 * up with an error of its own (a handshake timeout); waiting until the cell's
 * deadline means a user's call would wait forever.
 */
export function judgeStalledUpgrade(side: 'reader' | 'writer', d: Digest): StagedFinding | null {
  if (d.end === 'error') return null;
  if (d.end === 'timeout') {
    return {
      verdict: 'FAIL',
      stage: side,
      reason:
        `the ${side} waited for an answer to its channel upgrade until its deadline: ` +
        'the SDK gives up on a silent peer only when the caller does (no handshake timeout)',
    };
  }
  return {
    verdict: 'FAIL',
    stage: side,
    reason: `the ${side} ended ${describeEnd(d)} although its channel connection was never upgraded`,
  };
}

/** The writer's socket was reset on the way: the reader must not see a clean end, the writer must hear of it. */
export function judgeProxyReset(
  exp: Expected,
  writer: Digest,
  reader: Digest,
  resetAfter: number,
): StagedFinding | null {
  const how = "the writer's connection was reset";
  const readerFinding = judgeWriterDied(exp, reader, how, resetAfter);
  if (readerFinding) return { ...readerFinding, stage: 'reader' };
  if (writer.end === 'error') return null;
  const saw =
    writer.end === 'timeout' ? 'was still blocked at its deadline' : `ended ${describeEnd(writer)}`;
  return {
    verdict: 'FAIL',
    stage: 'writer',
    reason: `the writer ${saw} after handing over ${fmt(writer.bytes)} although its connection was reset; it must see an error`,
  };
}
