// Terminal output of a run: one plain line per finished cell (CI logs read
// well), then the writer x reader matrix per family and the totals.
import { findEntry } from './expectations/apply.ts';
import type { ExpectationsFile } from './expectations/file.ts';
import { buildMatrices, entryKey, entryText } from './report/matrix-table.ts';
import type { CellResult, RunResults } from './report/results.ts';

export interface Reporter {
  line(text: string): void;
  start(total: number): void;
  cell(result: CellResult): void;
  finish(results: RunResults): void;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export class PlainReporter implements Reporter {
  private done = 0;
  private total = 0;

  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly expectations?: ExpectationsFile,
  ) {}

  line(text: string): void {
    this.out.write(`${text}\n`);
  }

  start(total: number): void {
    this.total = total;
    this.line(`running ${total} cells`);
  }

  cell(r: CellResult): void {
    this.done += 1;
    const n = `[${String(this.done).padStart(String(this.total).length)}/${this.total}]`;
    const timing = r.verdict === 'SKIP' ? '' : ` ${r.duration_ms} ms`;
    // Cells arrive before expectations are applied; a listed failure says so
    // here, so a log reader does not chase what the team already knows.
    const listed =
      r.verdict !== 'PASS' && this.expectations && findEntry(this.expectations, r.id)
        ? ' (listed)'
        : '';
    this.line(`${n} ${pad(r.verdict, 10)} ${r.id}${timing}${listed}`);
    if (r.verdict !== 'PASS' && r.reason && !listed) this.line(`      ${r.reason}`);
    if (!['PASS', 'SKIP', 'XFAIL', 'INFO'].includes(r.verdict) && !listed) {
      this.line(`      rerun: ${r.rerun}`);
    }
  }

  finish(results: RunResults): void {
    for (const m of buildMatrices(results.cells, Object.keys(results.workers))) {
      const first = Math.max(16, ...m.rows.map((r) => r.length)) + 2;
      const width = Math.max(14, ...m.columns.map((c) => c.length + 2));
      this.line('');
      this.line(`${m.family} (writer \\ reader)`);
      this.line(pad('', first) + m.columns.map((c) => pad(c, width)).join(''));
      for (const row of m.rows) {
        const entries = m.columns.map((c) =>
          pad(entryText(m.entries.get(entryKey(row, c))), width),
        );
        this.line(pad(row, first) + entries.join(''));
      }
    }
    const s = results.summary;
    const parts = Object.entries(s)
      .filter(([k, v]) => k !== 'total' && v > 0)
      .map(([k, v]) => `${v} ${k}`);
    this.line('');
    this.line(
      `${s.total} cells in ${(results.run.duration_ms / 1000).toFixed(1)} s: ${parts.join(', ')}` +
        (results.run.interrupted ? ' (interrupted: only finished cells)' : ''),
    );
  }
}
