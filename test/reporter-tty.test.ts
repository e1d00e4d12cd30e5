// The TTY reporter against a fake terminal: the status line is rewritten in
// place, failures stay on screen, and nothing wraps past the width.
import { describe, expect, it } from 'vitest';
import type { ExpectationsFile } from '../harness/expectations/file.ts';
import { PlainReporter } from '../harness/reporter.ts';
import { formatDuration, reporterFor, TtyReporter } from '../harness/reporter-tty.ts';
import { cell, run } from './helpers/results-builder.ts';

const RERUN = 'npx iii-conformance run --engine reference --langs ts,py --cell ';

class FakeTerminal {
  writes: string[] = [];
  constructor(readonly columns = 120) {}
  write(text: string) {
    this.writes.push(text);
    return true;
  }
  /** What the screen shows: \r + erase-line wipes the current row. */
  get screen(): string {
    const rows = [''];
    for (const ch of this.writes.join('').replaceAll('\r\u001b[2K', '\u0000')) {
      if (ch === '\u0000') rows[rows.length - 1] = '';
      else if (ch === '\n') rows.push('');
      else rows[rows.length - 1] += ch;
    }
    return rows.join('\n');
  }
}

function setup(columns = 120, expectations?: ExpectationsFile) {
  const term = new FakeTerminal(columns);
  let clock = 1_000_000;
  const reporter = new TtyReporter(term, { now: () => clock, tickMs: 0, expectations });
  return { term, reporter, advance: (ms: number) => (clock += ms) };
}

describe('TtyReporter', () => {
  it('shows done, total, failures and an estimate of the time left', () => {
    const { term, reporter, advance } = setup();
    reporter.start(10);
    expect(term.screen).toBe(
      'running 10 cells\n[ 0/10] 0% · 0 failed · 0 s elapsed · estimating time left',
    );

    advance(4_000);
    reporter.cell(cell('frames/a', 'ts->py'));
    advance(4_000);
    reporter.cell(cell('frames/b', 'ts->py'));
    // 2 cells in 8 s: 8 cells left take about 32 s.
    expect(term.screen.split('\n').at(-1)).toBe(
      '[ 2/10] 20% · 0 failed · 8 s elapsed · ~32 s left · frames/b ts->py@reference',
    );
  });

  it('keeps failed cells on screen above the status line', () => {
    const { term, reporter } = setup();
    reporter.start(3);
    reporter.cell(cell('frames/a', 'ts->py'));
    const reason = 'frames/b ts->py@reference: reader got 3 B';
    reporter.cell(cell('frames/b', 'ts->py', { verdict: 'FAIL', reason }));
    reporter.line('received SIGINT: stopping the engine and workers…');
    expect(term.screen.split('\n')).toEqual([
      'running 3 cells',
      'FAIL       frames/b ts->py@reference 100 ms',
      `      ${reason}`,
      `      rerun: ${RERUN}'frames/b ts->py@reference'`,
      'received SIGINT: stopping the engine and workers…',
      '[2/3] 66% · 1 failed · 0 s elapsed · ~0 s left · frames/b ts->py@reference',
    ]);
  });

  it('says how many failures an expectations file already lists', () => {
    const { term, reporter } = setup(120, {
      path: 'expectations/reference.yaml',
      entries: [
        { cells: 'frames/a *', reason: 'known', applies_to: 'sdk 1' },
        {
          cells: 'frames/c *',
          reason: 'sometimes',
          applies_to: 'sdk 1',
          flaky: { passes: 2, of: 3 },
        },
      ],
    });
    reporter.start(3);
    reporter.cell(cell('frames/a', 'ts->py', { verdict: 'TIMEOUT' }));
    reporter.cell(cell('frames/b', 'ts->py', { verdict: 'ERROR' }));
    reporter.cell(cell('frames/c', 'ts->py', { verdict: 'FAIL' }));
    expect(term.screen.split('\n').at(-1)).toMatch(/^\[3\/3\] 100% · 3 failed \(1 listed\) · /);
  });

  it('cuts the status line to the terminal width so it never wraps', () => {
    const { term, reporter } = setup(40);
    reporter.start(5);
    reporter.cell(cell('frames/a-very-long-scenario-name', 'ts->py->ts'));
    const status = term.screen.split('\n').at(-1) ?? '';
    expect(status.length).toBe(39);
    expect(status.endsWith('…')).toBe(true);
  });

  it('assumes 80 columns when the terminal reports none', () => {
    const { term, reporter } = setup(0);
    reporter.start(5);
    reporter.cell(cell('frames/a-very-long-scenario-name-that-goes-on', 'ts->py->ts'));
    expect(term.screen.split('\n').at(-1)).toHaveLength(79);
  });

  it('clears the status line and prints the matrix and totals at the end', () => {
    const { term, reporter } = setup();
    reporter.start(1);
    const results = run([cell('frames/a', 'ts->py')]);
    reporter.cell(results.cells[0]);
    reporter.finish(results);
    const screen = term.screen;
    expect(screen).not.toContain('[1/1]');
    expect(screen).toContain('frames (writer \\ reader)');
    expect(screen.trimEnd().split('\n').at(-1)).toBe('1 cells in 30.0 s: 1 PASS');
  });

  it('refreshes the elapsed time between cells and stops at the end', async () => {
    const term = new FakeTerminal();
    const reporter = new TtyReporter(term, { tickMs: 5 });
    reporter.start(1);
    await new Promise((r) => setTimeout(r, 40));
    const redraws = term.writes.filter((w) => w.startsWith('[0/1]')).length;
    expect(redraws).toBeGreaterThan(2);
    reporter.finish(run([]));
    const after = term.writes.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(term.writes.length).toBe(after);
  });
});

describe('reporterFor', () => {
  it('draws a status line only on a terminal', () => {
    const tty = Object.assign(new FakeTerminal(), { isTTY: true });
    expect(reporterFor(tty)).toBeInstanceOf(TtyReporter);
    expect(reporterFor(new FakeTerminal())).toBeInstanceOf(PlainReporter);
  });

  it('keeps one plain line per finished cell off a terminal', () => {
    const pipe = new FakeTerminal();
    const reporter = reporterFor(pipe);
    reporter.start(2);
    reporter.cell(cell('frames/a', 'ts->py'));
    reporter.cell(cell('frames/b', 'py->ts'));
    expect(pipe.writes.join('')).toBe(
      'running 2 cells\n' +
        '[1/2] PASS       frames/a ts->py@reference 100 ms\n' +
        '[2/2] PASS       frames/b py->ts@reference 100 ms\n',
    );
    expect(pipe.writes.join('')).not.toContain('\r');
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(42_400)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
});
