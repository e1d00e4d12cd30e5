// Pins judgeCell for the new cell kinds: a fan-out judged channel by channel,
// a reader with only a text callback, an engine restart under a live channel
// and a channel swept by its TTL. Each verdict is the user's question: did
// every reader get the stream, and did nobody see a clean end hiding a loss?
import { describe, expect, it } from 'vitest';
import { judgeCell } from '../harness/cell-judge.ts';
import type { CellRun, StageReport } from '../harness/cell-runner.ts';
import { expectedForScenario } from '../harness/expected.ts';
import type { Digest } from '../harness/schema/types.ts';
import {
  cut,
  digestOf as digest,
  EMPTY_SHA,
  cellRun as run,
  scenarioById,
} from './helpers/judging.ts';

const fanOut = scenarioById('pipeline/fan-out');
const textsOnly = scenarioById('lifecycle/text-callback-only');
const restart = scenarioById('lifecycle/engine-restarts');
const swept = scenarioById('lifecycle/stale-channel-swept');

describe('judgeCell: fan-out', () => {
  const exp = expectedForScenario(fanOut);
  const readers = ['ts', 'py', 'rs', 'raw'];
  const roleOf = (i: number) => (i === 0 ? 'reader' : `reader-${i + 1}`);
  /** writer py -> ts+py+rs+raw, all four channels good, as the runner lays them out */
  function stages(change: (s: StageReport[]) => StageReport[] = (s) => s): CellRun {
    const writers = [1, 2, 3, 4].map((k) => {
      const role = k === 1 ? 'writer' : `writer-${k}`;
      return { role, lang: 'py', digest: digest('writer', 'py', exp) };
    });
    const got = readers.map((lang, i) => ({
      role: roleOf(i),
      lang,
      digest: digest('reader', lang, exp),
    }));
    return run(exp, change([...writers, ...got]));
  }
  const replace = (role: string, over: Partial<StageReport>) => (s: StageReport[]) =>
    s.map((x) => (x.role === role ? { ...x, ...over } : x));

  it('expects real content from the scenario', () => {
    expect(exp.bytes).toBe(1024 * 1024 + 1);
    expect(exp.texts.map((t) => t.preview)).toEqual(['fan', 'out ✓']);
  });

  it('passes when every channel delivered the stream', () => {
    expect(judgeCell(fanOut, stages())).toEqual({ verdict: 'PASS' });
  });

  it('fails a bad reader on channel 3 and names that reader and its language', () => {
    const bad = digest('reader', 'rs', exp, cut(65_536));
    const j = judgeCell(fanOut, stages(replace('reader-3', { digest: bad })));
    expect(j.verdict).toBe('FAIL');
    expect(j.stage).toBe('reader-3');
    expect(j.reason).toContain('reader-3 (rs)');
    expect(j.reason).toContain('65,536 B');
  });

  it('names the first reader by its language too', () => {
    const bad = digest('reader', 'ts', exp, { end: 'stopped' });
    const j = judgeCell(fanOut, stages(replace('reader', { digest: bad })));
    expect(j).toMatchObject({ verdict: 'FAIL', stage: 'reader' });
    expect(j.reason).toContain('reader (ts)');
  });

  it('reports the lowest channel when several are bad', () => {
    const change = (s: StageReport[]) =>
      replace('reader-4', { digest: digest('reader', 'raw', exp, cut(1)) })(
        replace('reader-2', { digest: digest('reader', 'py', exp, cut(2)) })(s),
      );
    const j = judgeCell(fanOut, stages(change));
    expect(j.stage).toBe('reader-2');
    expect(j.reason).toContain('reader-2 (py)');
  });

  it('is an ERROR when the writer reported no digest for channel 2', () => {
    const j = judgeCell(
      fanOut,
      stages((s) => s.filter((x) => x.role !== 'writer-2')),
    );
    expect(j.verdict).toBe('ERROR');
    expect(j.stage).toBe('writer-2');
    expect(j.reason).toContain('channel 2');
  });

  it('blames writer-3 before reader-3 when the writer already wrote the wrong thing', () => {
    const change = (s: StageReport[]) =>
      replace('reader-3', { digest: digest('reader', 'rs', exp, cut(5)) })(
        replace('writer-3', { digest: digest('writer', 'py', exp, cut(5)) })(s),
      );
    const j = judgeCell(fanOut, stages(change));
    expect(j).toMatchObject({ verdict: 'ERROR', stage: 'writer-3' });
    expect(j.reason).toContain('worker fault');
  });

  it('turns a branch reader call that timed out into TIMEOUT on that branch', () => {
    const failure = { kind: 'timeout' as const, code: 'TIMEOUT', message: 'no answer' };
    const j = judgeCell(fanOut, stages(replace('reader-4', { digest: undefined, failure })));
    expect(j).toMatchObject({ verdict: 'TIMEOUT', stage: 'reader-4' });
    expect(j.reason).toContain('raw');
  });
});

describe('judgeCell: a reader with only a text callback', () => {
  const exp = expectedForScenario(textsOnly);
  const onlyTexts = { bytes: 0, sha256: EMPTY_SHA, chunks: 0, max_chunk: 0 };
  const cell = (reader: Partial<Digest>) =>
    run(exp, [
      { role: 'writer', lang: 'ts', digest: digest('writer', 'ts', exp) },
      { role: 'reader', lang: 'py', digest: digest('reader', 'py', exp, reader) },
    ]);

  it('is a TEXTS_ONLY scenario of three texts and no binary', () => {
    expect(textsOnly.read.style).toBe('TEXTS_ONLY');
    expect(exp.bytes).toBe(0);
    expect(exp.texts).toHaveLength(3);
  });

  it('passes a reader that stopped with exactly the texts and no bytes', () => {
    expect(judgeCell(textsOnly, cell({ ...onlyTexts, end: 'stopped' }))).toEqual({
      verdict: 'PASS',
    });
  });

  it('fails a reader that got no text before its deadline, as the SDK hang it is', () => {
    const j = judgeCell(textsOnly, cell({ ...onlyTexts, end: 'timeout', texts: [] }));
    expect(j).toMatchObject({ verdict: 'FAIL', stage: 'reader' });
    expect(j.reason).toContain('0 of 3 texts');
    expect(j.reason).toContain('delivered no text to it without a binary read');
  });

  it('fails a missing text and names it', () => {
    const texts = [exp.texts[0], exp.texts[2]].map((t) => ({ ...t })) as Digest['texts'];
    const j = judgeCell(textsOnly, cell({ ...onlyTexts, end: 'stopped', texts }));
    expect(j.verdict).toBe('FAIL');
    expect(j.reason).toContain('missing text #1 "status: 50%"');
  });

  it('fails a text-only reader that ended with an error', () => {
    const error = { code: 'E', message: 'gone', stage: 'read' };
    const j = judgeCell(textsOnly, cell({ ...onlyTexts, end: 'error', error }));
    expect(j.verdict).toBe('FAIL');
    expect(j.reason).toContain('read: E');
  });
});

describe('judgeCell: the engine restarts mid-stream', () => {
  const exp = expectedForScenario(restart);
  const error = { code: 'CLOSED', message: 'connection lost', stage: 'read' };
  const failed = { ...cut(262_144), end: 'error', error };
  const cell = (writer: Partial<Digest>, reader: Partial<Digest>) =>
    run(exp, [
      { role: 'writer', lang: 'ts', digest: digest('writer', 'ts', exp, writer) },
      { role: 'reader', lang: 'rs', digest: digest('reader', 'rs', exp, reader), recalled: true },
    ]);

  it('passes when both ends learn of it with an error', () => {
    expect(restart.fault?.kind).toBe('engine-restart');
    expect(judgeCell(restart, cell(failed, failed))).toEqual({ verdict: 'PASS' });
  });

  it('fails a reader that saw a clean end with fewer bytes: a silent loss', () => {
    const j = judgeCell(restart, cell(failed, { ...cut(262_144), end: 'closed' }));
    expect(j.verdict).toBe('FAIL');
    expect(j.reason).toContain('silent');
    expect(j.reason).toContain('262,144 B of 524,288 B');
  });

  it('fails a writer that ended cleanly although its channel is gone', () => {
    const j = judgeCell(restart, cell({ end: 'closed' }, failed));
    expect(j.verdict).toBe('FAIL');
    expect(j.reason).toContain('writer ended "closed"');
  });

  it('fails (not TIMEOUT) a reader still waiting at its deadline', () => {
    const j = judgeCell(restart, cell(failed, { ...cut(262_144), end: 'timeout' }));
    expect(j.verdict).toBe('FAIL');
    expect(j.reason).toContain('still waiting at its deadline');
  });

  it('fails a writer still blocked at its deadline', () => {
    const j = judgeCell(restart, cell({ ...cut(262_144), end: 'timeout' }, failed));
    expect(j.verdict).toBe('FAIL');
    expect(j.reason).toContain('writer still blocked');
  });

  it('is an ERROR when a worker lost its call in the restart', () => {
    const lost = { kind: 'error' as const, code: 'LOST', message: 'no result' };
    const j = judgeCell(
      restart,
      run(exp, [
        { role: 'writer', lang: 'ts', failure: lost },
        { role: 'reader', lang: 'rs', digest: digest('reader', 'rs', exp, failed) },
      ]),
    );
    expect(j).toMatchObject({ verdict: 'ERROR', stage: 'writer' });
    expect(j.reason).toContain('LOST');
  });
});

describe('judgeCell: a channel swept by its TTL', () => {
  const exp = expectedForScenario(swept);
  const error = { code: 'NOT_FOUND', message: 'refused', stage: 'connect' };
  const refused = { ...cut(0), end: 'error', error };
  const cell = (writer: Partial<Digest>, reader: Partial<Digest>) =>
    run(exp, [
      { role: 'writer', lang: 'py', digest: digest('writer', 'py', exp, writer) },
      { role: 'reader', lang: 'ts', digest: digest('reader', 'ts', exp, reader) },
    ]);

  it('passes when the writer hears of it and the late reader is refused', () => {
    expect(swept.fault?.kind).toBe('channel-ttl');
    expect(judgeCell(swept, cell({ ...cut(8192), end: 'error', error }, refused))).toEqual({
      verdict: 'PASS',
    });
  });

  it('fails a late reader shown a clean empty stream', () => {
    const j = judgeCell(swept, cell({ ...cut(8192), end: 'error', error }, { ...cut(0) }));
    expect(j.verdict).toBe('FAIL');
    expect(j.reason).toContain('ended "closed" with 0 B');
    expect(j.reason).toContain('must be refused');
  });

  it('fails a late reader that waited until its deadline', () => {
    const j = judgeCell(
      swept,
      cell({ ...cut(8192), end: 'error', error }, { ...cut(0), end: 'timeout' }),
    );
    expect(j.verdict).toBe('FAIL');
    expect(j.reason).toContain('waited until its deadline');
  });

  it('fails a writer of the swept channel that ended cleanly', () => {
    const j = judgeCell(swept, cell({ end: 'closed' }, refused));
    expect(j.verdict).toBe('FAIL');
    expect(j.reason).toContain('the writer of a swept channel ended "closed"');
  });
});
