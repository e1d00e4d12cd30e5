// Pins the verdicts of the two fault-proxy cell kinds: a channel connection
// whose upgrade is never answered (judgeStalledUpgrade) and a writer socket
// reset on the way (judgeProxyReset), and how judgeCell routes the scenario
// faults to them with `stage` naming the side the finding is about.
import { describe, expect, it } from 'vitest';
import { judgeCell } from '../harness/cell-judge.ts';
import { expectedForScenario } from '../harness/expected.ts';
import { judgeProxyReset, judgeStalledUpgrade } from '../harness/fault-judges.ts';
import type { Digest } from '../harness/schema/types.ts';
import { cut, digestOf as digest, cellRun as run, scenarioById } from './helpers/judging.ts';

const reset = scenarioById('lifecycle/writer-reset-via-proxy');
const stalledReader = scenarioById('lifecycle/reader-upgrade-never-answered');
const stalledWriter = scenarioById('lifecycle/writer-upgrade-never-answered');

const connectError = {
  code: 'Error',
  message: 'Opening handshake has timed out',
  stage: 'connect',
};
const resetError = { code: 'ECONNRESET', message: 'read ECONNRESET', stage: 'write' };
const closedEarly = { code: 'CLOSED', message: 'closed 1011', stage: 'read' };

describe('the proxy-fault scenarios', () => {
  it('declare the faults the judges are routed by', () => {
    expect(reset.fault).toEqual({ kind: 'proxy-reset', afterBytes: 256 * 1024 });
    expect(stalledReader.fault).toEqual({ kind: 'stalled-upgrade', side: 'reader' });
    expect(stalledWriter.fault).toEqual({ kind: 'stalled-upgrade', side: 'writer' });
    expect(expectedForScenario(reset).bytes).toBe(1024 * 1024);
  });
});

describe('judgeStalledUpgrade', () => {
  const exp = expectedForScenario(stalledReader);
  /** A side that never connected, ended as `over` says. */
  const side = (role: string, over: Partial<Digest>) =>
    digest(role, 'py', exp, { ...cut(0), ...over });

  it('accepts a side that gave up with an error of its own', () => {
    for (const role of ['reader', 'writer'] as const) {
      expect(judgeStalledUpgrade(role, side(role, { end: 'error', error: connectError }))).toBe(
        null,
      );
    }
  });

  it('fails (not TIMEOUT) a side still waiting at its deadline: no handshake timeout', () => {
    const f = judgeStalledUpgrade('reader', side('reader', { end: 'timeout' }));
    expect(f).toMatchObject({ verdict: 'FAIL', stage: 'reader' });
    expect(f?.reason).toContain('the reader waited for an answer to its channel upgrade');
    expect(f?.reason).toContain('no handshake timeout');
  });

  it('fails a side that ended cleanly or stopped although it never got an upgrade', () => {
    const f = judgeStalledUpgrade('writer', digest('writer', 'ts', exp, { end: 'closed' }));
    expect(f).toMatchObject({ verdict: 'FAIL', stage: 'writer' });
    expect(f?.reason).toBe(
      'the writer ended "closed" although its channel connection was never upgraded',
    );
    const stopped = judgeStalledUpgrade('reader', side('reader', { end: 'stopped' }));
    expect(stopped).toMatchObject({ verdict: 'FAIL', stage: 'reader' });
    expect(stopped?.reason).toContain('ended "stopped"');
  });
});

describe('judgeProxyReset', () => {
  const exp = expectedForScenario(reset);
  const RESET_AT = 262_144;
  const failedWriter = digest('writer', 'raw', exp, { end: 'error', error: resetError });
  const failedReader = digest('reader', 'raw', exp, {
    ...cut(131_072),
    end: 'error',
    error: closedEarly,
  });

  it('accepts an error on both sides', () => {
    expect(judgeProxyReset(exp, failedWriter, failedReader, RESET_AT)).toBeNull();
  });

  it('fails a reader that saw a clean short stream and names where it diverged', () => {
    const reader = digest('reader', 'raw', exp, {
      ...cut(131_072),
      mismatch: { offset: 131_072, chunk: 2, chunk_offset: 0, expected_hex: 'ab', actual_hex: '' },
    });
    const f = judgeProxyReset(exp, failedWriter, reader, RESET_AT);
    expect(f).toMatchObject({ verdict: 'FAIL', stage: 'reader' });
    expect(f?.reason).toContain("the writer's connection was reset mid-stream");
    expect(f?.reason).toContain('saw a clean end ("closed")');
    expect(f?.reason).toContain('131,072 B');
  });

  it('judges the reader first: a clean reader is named even when the writer is wrong too', () => {
    const f = judgeProxyReset(
      exp,
      digest('writer', 'ts', exp),
      digest('reader', 'py', exp, cut(0)),
      RESET_AT,
    );
    expect(f?.stage).toBe('reader');
  });

  it('fails (not TIMEOUT) a reader that hung until its deadline', () => {
    const f = judgeProxyReset(
      exp,
      failedWriter,
      digest('reader', 'rs', exp, { ...cut(65_536), end: 'timeout' }),
      RESET_AT,
    );
    expect(f).toMatchObject({ verdict: 'FAIL', stage: 'reader' });
    expect(f?.reason).toContain('the reader hung until its deadline with 65,536 B');
  });

  it('a reader timeout names where the reset came, not the whole plan', () => {
    const f = judgeProxyReset(
      exp,
      failedWriter,
      digest('reader', 'rs', exp, { ...cut(0), end: 'timeout' }),
      RESET_AT,
    );
    expect(f?.reason).not.toContain('reset after 1,048,576 B');
    expect(f?.reason).toContain('reset after 262,144 B');
  });

  it('fails a writer that reported a clean close over a reset socket', () => {
    const f = judgeProxyReset(exp, digest('writer', 'ts', exp), failedReader, RESET_AT);
    expect(f).toMatchObject({ verdict: 'FAIL', stage: 'writer' });
    expect(f?.reason).toContain('the writer ended "closed" after handing over 1,048,576 B');
    expect(f?.reason).toContain('it must see an error');
  });

  it('fails a writer still blocked at its deadline', () => {
    const f = judgeProxyReset(
      exp,
      digest('writer', 'rs', exp, { ...cut(262_144), end: 'timeout' }),
      failedReader,
      RESET_AT,
    );
    expect(f).toMatchObject({ verdict: 'FAIL', stage: 'writer' });
    expect(f?.reason).toContain('was still blocked at its deadline after handing over 262,144 B');
  });
});

describe('judgeCell routes proxy faults', () => {
  describe('stalled-upgrade, reader side (raw -> SDK)', () => {
    const exp = expectedForScenario(stalledReader);
    const cell = (
      reader: Partial<Digest>,
      writer: Partial<Digest> = { end: 'error', error: resetError },
    ) =>
      run(exp, [
        { role: 'writer', lang: 'raw', digest: digest('writer', 'raw', exp, writer) },
        {
          role: 'reader',
          lang: 'ts',
          digest: digest('reader', 'ts', exp, { ...cut(0), ...reader }),
        },
      ]);

    it('passes a reader that gave up with an error, whatever the raw writer saw', () => {
      expect(judgeCell(stalledReader, cell({ end: 'error', error: connectError }))).toEqual({
        verdict: 'PASS',
      });
      expect(
        judgeCell(stalledReader, cell({ end: 'error', error: connectError }, { end: 'timeout' })),
      ).toEqual({
        verdict: 'PASS',
      });
    });

    it('fails the reader, staged "reader", when it waited until its deadline', () => {
      const j = judgeCell(stalledReader, cell({ end: 'timeout' }));
      expect(j).toMatchObject({ verdict: 'FAIL', stage: 'reader' });
      expect(j.reason).toContain('no handshake timeout');
    });

    it('turns a reader call the harness gave up on into TIMEOUT on the reader', () => {
      const failure = { kind: 'timeout' as const, code: 'TIMEOUT', message: 'no answer' };
      const j = judgeCell(
        stalledReader,
        run(exp, [
          { role: 'writer', lang: 'raw', digest: digest('writer', 'raw', exp) },
          { role: 'reader', lang: 'rs', failure },
        ]),
      );
      expect(j).toMatchObject({ verdict: 'TIMEOUT', stage: 'reader' });
    });
  });

  describe('stalled-upgrade, writer side (SDK -> raw)', () => {
    const exp = expectedForScenario(stalledWriter);
    // The raw reader only idles: nobody can write to it.
    const idleReader = digest('reader', 'raw', exp, { ...cut(0), end: 'timeout' });
    const cell = (writer: Partial<Digest>) =>
      run(exp, [
        {
          role: 'writer',
          lang: 'py',
          digest: digest('writer', 'py', exp, { ...cut(0), ...writer }),
        },
        { role: 'reader', lang: 'raw', digest: idleReader },
      ]);

    it('passes a writer that gave up with an error although the raw reader timed out', () => {
      expect(judgeCell(stalledWriter, cell({ end: 'error', error: connectError }))).toEqual({
        verdict: 'PASS',
      });
    });

    it('fails the writer, staged "writer", when it hung or ended cleanly', () => {
      const hung = judgeCell(stalledWriter, cell({ end: 'timeout' }));
      expect(hung).toMatchObject({ verdict: 'FAIL', stage: 'writer' });
      expect(hung.reason).toContain('the writer waited');
      const clean = judgeCell(stalledWriter, cell({ end: 'closed' }));
      expect(clean).toMatchObject({ verdict: 'FAIL', stage: 'writer' });
      expect(clean.reason).toContain('never upgraded');
    });
  });

  describe('proxy-reset', () => {
    const exp = expectedForScenario(reset);
    const cell = (writer: Partial<Digest>, reader: Partial<Digest>) =>
      run(exp, [
        { role: 'writer', lang: 'ts', digest: digest('writer', 'ts', exp, writer) },
        { role: 'reader', lang: 'py', digest: digest('reader', 'py', exp, reader) },
      ]);
    const writerError = { end: 'error', error: resetError } as const;
    const readerError = { ...cut(131_072), end: 'error', error: closedEarly } as const;

    it('passes when both ends got errors', () => {
      expect(judgeCell(reset, cell(writerError, readerError))).toEqual({ verdict: 'PASS' });
    });

    it('fails the reader, staged "reader", on a clean short stream', () => {
      const j = judgeCell(reset, cell(writerError, cut(131_072)));
      expect(j).toMatchObject({ verdict: 'FAIL', stage: 'reader' });
      expect(j.reason).toContain('clean end');
    });

    it('fails the writer, staged "writer", when only it ended cleanly', () => {
      const j = judgeCell(reset, cell({ end: 'closed' }, readerError));
      expect(j).toMatchObject({ verdict: 'FAIL', stage: 'writer' });
      expect(j.reason).toContain('connection was reset');
    });

    it('is an ERROR on the writer when its call failed (the writer is expected to answer)', () => {
      const lost = { kind: 'error' as const, code: 'LOST', message: 'no result' };
      const j = judgeCell(
        reset,
        run(exp, [
          { role: 'writer', lang: 'ts', failure: lost },
          { role: 'reader', lang: 'py', digest: digest('reader', 'py', exp, readerError) },
        ]),
      );
      expect(j).toMatchObject({ verdict: 'ERROR', stage: 'writer' });
    });
  });
});
