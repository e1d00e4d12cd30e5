import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCompare } from '../harness/commands/compare.ts';
import { compareExitStatus, compareRuns, matchKey } from '../harness/compare/diff.ts';
import { severity, worse } from '../harness/compare/severity.ts';
import type { RunResults } from '../harness/report/results.ts';
import { UsageError } from '../harness/usage-error.ts';
import { cell, run } from './helpers/results-builder.ts';

const compare = (a: RunResults, b: RunResults, noise = 25) =>
  compareRuns({ path: 'old.json', results: a }, { path: 'new.json', results: b }, noise);

describe('verdict severity', () => {
  it('ranks passes below skips below known failures below failures', () => {
    expect(severity('PASS')).toBe(severity('XPASS'));
    expect(severity('PASS')).toBe(severity('INFO'));
    expect(severity('PASS')).toBeLessThan(severity('SKIP'));
    expect(severity('SKIP')).toBeLessThan(severity('NON-STRICT'));
    expect(severity('NON-STRICT')).toBeLessThan(severity('XFAIL'));
    expect(severity('XFAIL')).toBeLessThan(severity('FAIL'));
    expect(severity('FAIL')).toBe(severity('ERROR'));
  });

  it('picks one stable worst verdict within a rank', () => {
    expect(worse('FAIL', 'TIMEOUT')).toBe('TIMEOUT');
    expect(worse('TIMEOUT', 'FAIL')).toBe('TIMEOUT');
    expect(worse('PASS', 'SKIP')).toBe('SKIP');
  });
});

describe('compareRuns', () => {
  it('matches cells across engines by id without the engine suffix', () => {
    expect(matchKey('frames/size-0 ts->py@reference')).toBe('frames/size-0 ts->py');
    expect(matchKey('pipeline/x ts->py->ts@iii:container')).toBe('pipeline/x ts->py->ts');
    const a = run([cell('frames/size-1', 'ts->py')]);
    const b = run([cell('frames/size-1', 'ts->py', { engine: 'iii' })], {
      engine: { kind: 'iii', label: 'iii', version: '0.4.2' },
    });
    const c = compare(a, b);
    expect(c.added).toEqual([]);
    expect(c.removed).toEqual([]);
    expect(c.unchanged).toBe(1);
    expect(c.old.engine).toBe('reference 0.1.0');
    expect(c.new.engine).toBe('iii 0.4.2');
  });

  it('sorts verdict moves into regressed, fixed and changed', () => {
    const a = run([
      cell('f/a', 'ts->py'),
      cell('f/b', 'ts->py', { verdict: 'XFAIL' }),
      cell('f/c', 'ts->py'),
      cell('f/d', 'ts->py', { verdict: 'FAIL' }),
      cell('f/e', 'ts->py', { verdict: 'FAIL' }),
      cell('f/f', 'ts->py'),
    ]);
    const b = run([
      cell('f/a', 'ts->py', { verdict: 'FAIL', reason: 'f/a ts->py@reference: got 3 B' }),
      cell('f/b', 'ts->py', { verdict: 'TIMEOUT' }),
      cell('f/c', 'ts->py', { verdict: 'SKIP' }),
      cell('f/d', 'ts->py'),
      cell('f/e', 'ts->py', { verdict: 'TIMEOUT' }),
      cell('f/f', 'ts->py'),
    ]);
    const c = compare(a, b);
    expect(c.regressed.map((r) => r.key)).toEqual(['f/a ts->py', 'f/b ts->py', 'f/c ts->py']);
    expect(c.regressed[0].new.reason).toBe('got 3 B');
    expect(c.fixed.map((r) => r.key)).toEqual(['f/d ts->py']);
    expect(c.changed.map((r) => r.key)).toEqual(['f/e ts->py']);
    expect(c.unchanged).toBe(1);
    expect(compareExitStatus(c)).toBe(1);
  });

  it('lists new and removed cells without failing on them', () => {
    const a = run([cell('f/a', 'ts->py'), cell('f/gone', 'py->py')]);
    const b = run([cell('f/a', 'ts->py'), cell('f/new', 'py->ts', { verdict: 'FAIL' })]);
    const c = compare(a, b);
    expect(c.added.map((s) => `${s.key} ${s.verdict}`)).toEqual(['f/new py->ts FAIL']);
    expect(c.removed.map((s) => s.key)).toEqual(['f/gone py->py']);
    expect(compareExitStatus(c)).toBe(0);
  });

  it('folds repeated attempts into their worst verdict', () => {
    const a = run([cell('f/a', 'ts->py'), cell('f/a', 'ts->py', { attempt: 2 })]);
    const b = run([
      cell('f/a', 'ts->py'),
      cell('f/a', 'ts->py', { attempt: 2, verdict: 'TIMEOUT' }),
    ]);
    const c = compare(a, b);
    expect(c.regressed).toHaveLength(1);
    expect(c.regressed[0].new).toMatchObject({ verdict: 'TIMEOUT', attempts: 2, worst_count: 1 });
  });
});

describe('throughput changes', () => {
  const once = (mbps: number, extra = {}) =>
    run([cell('f/a', 'ts->py', { throughput_mbps: mbps, ...extra })]);
  const repeated = (...mbps: number[]) =>
    run(mbps.map((m, i) => cell('f/a', 'ts->py', { throughput_mbps: m, attempt: i + 1 })));

  it('uses the default threshold for single runs, overridable', () => {
    expect(compare(once(100), once(80)).throughput).toEqual([]);
    const slower = compare(once(100), once(60)).throughput;
    expect(slower).toMatchObject([{ change_pct: -40, noise_pct: 25, basis: 'default' }]);
    expect(compare(once(100), once(80), 10).throughput).toHaveLength(1);
  });

  it('uses the spread of repeats when both runs repeated the cell', () => {
    const tight = compare(repeated(100, 102, 98), repeated(88, 90, 89)).throughput;
    expect(tight).toMatchObject([{ basis: 'repeats', noise_pct: 5 }]);
    expect(tight[0].change_pct).toBeCloseTo(-11, 0);
    // Overlapping samples are noise, however far the medians moved.
    expect(compare(repeated(100, 20, 100), repeated(50, 50, 99)).throughput).toEqual([]);
  });

  it('lets one run alone raise the threshold but never lower it', () => {
    const c = compare(once(100), repeated(70, 71));
    expect(c.throughput).toMatchObject([{ basis: 'default', noise_pct: 25 }]);
    expect(compare(once(100), repeated(40, 100)).throughput).toEqual([]);
  });

  it('ignores failed cells and transfers too small to measure throughput', () => {
    expect(compare(once(100), once(10, { verdict: 'FAIL' })).throughput).toEqual([]);
    const tiny = { expected: { bytes: 1, sha256: '', texts: [], texts_sha256: '' } };
    expect(compare(once(100, tiny), once(10, tiny)).throughput).toEqual([]);
  });
});

describe('runCompare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-test-'));
  const save = (name: string, data: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
    return path;
  };

  it('prints the versions of both runs and writes compare.md next to NEW', () => {
    const oldPath = save('old.json', run([cell('f/a', 'ts->py')]));
    const reason = 'f/a ts->py@reference: got <script>|x| instead';
    const newRun = run([cell('f/a', 'ts->py', { verdict: 'FAIL', reason })], {
      workers: {
        ...run([]).workers,
        ts: { ...run([]).workers.ts, sdk: { name: 'iii-sdk (npm)', version: '0.23.0' } },
      },
    });
    const newPath = save('new.json', newRun);
    const lines: string[] = [];
    expect(runCompare(oldPath, newPath, { noisePct: 25 }, (l) => lines.push(l))).toBe(1);
    expect(lines).toContain('  ts        iii-sdk (npm) 0.22.1 -> iii-sdk (npm) 0.23.0');
    expect(lines).toContain('  PASS -> FAIL       f/a ts->py');

    const md = readFileSync(join(dir, 'compare.md'), 'utf8');
    expect(md).toContain('| ts SDK | iii-sdk (npm) 0.22.1 | iii-sdk (npm) 0.23.0 |');
    expect(md).toContain('### Regressed (1)');
    expect(md).toContain('got &lt;script&gt;\\|x\\| instead');
    expect(md).not.toContain('<script>');
  });

  it('returns 0 and honours --markdown when nothing regressed', () => {
    const path = save('same.json', run([cell('f/a', 'ts->py')]));
    const target = join(dir, 'elsewhere.md');
    expect(runCompare(path, path, { noisePct: 25, markdown: target }, () => {})).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain('No regressions');
  });

  it('refuses unreadable or incompatible input with a UsageError (exit status 2)', () => {
    const good = save('good.json', run([]));
    const cases = [
      join(dir, 'missing.json'),
      save('bad.json', '{ not json'),
      save('v0.json', { ...run([]), schema: 'iii-conformance/results/v0' }),
      save('cells.json', { ...run([]), cells: [{ id: 'x', verdict: 'MAYBE' }] }),
    ];
    for (const bad of cases) {
      expect(() => runCompare(good, bad, { noisePct: 25 }, () => {})).toThrow(UsageError);
    }
    expect(() => runCompare(cases[2], good, { noisePct: 25 }, () => {})).toThrow(/results\/v0/);
  });
});
