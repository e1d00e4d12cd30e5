// Terminal output on a TTY: one live status line (cells done of total, how
// many failed so far, time left), rewritten in place. Cells that did not pass
// are printed above it for good; passes only show in the status line. The
// closing matrix and totals are the PlainReporter's.
import { findEntry } from './expectations/apply.ts';
import type { ExpectationsFile } from './expectations/file.ts';
import { type CellResult, FAILING, type RunResults } from './report/results.ts';
import { PlainReporter, type Reporter } from './reporter.ts';

/** What the reporter needs of a terminal: process.stdout, or a fake in tests. */
export interface TtyStream {
  write(text: string): unknown;
  columns?: number;
}

export interface TtyOptions {
  now?: () => number;
  /** how often the elapsed time and estimate refresh between cells; 0 = never */
  tickMs?: number;
  /**
   * The run's expectations: cells reach the reporter before they are applied,
   * so "failed" says how many of its failures the file already lists.
   */
  expectations?: ExpectationsFile;
}

const CLEAR_LINE = '\r\u001b[2K';

/** 42 s, 3m05s, 1h02m */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class TtyReporter implements Reporter {
  private total = 0;
  private done = 0;
  private failed = 0;
  private failedListed = 0;
  private startedAt = 0;
  private last = '';
  private shown = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly plain: PlainReporter;

  constructor(
    private readonly out: TtyStream = process.stdout,
    private readonly options: TtyOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.plain = new PlainReporter(out as NodeJS.WritableStream);
  }

  line(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
    this.draw();
  }

  start(total: number): void {
    this.total = total;
    this.startedAt = this.now();
    this.line(`running ${total} cells`);
    const tick = this.options.tickMs ?? 1000;
    // unref: a forgotten timer must never keep the harness alive.
    if (tick > 0) this.timer = setInterval(() => this.redraw(), tick).unref();
  }

  cell(r: CellResult): void {
    this.done += 1;
    this.last = r.id;
    if (FAILING.has(r.verdict)) {
      this.failed += 1;
      const entry = this.options.expectations && findEntry(this.options.expectations, r.id);
      if (entry && !entry.flaky) this.failedListed += 1;
    }
    if (r.verdict === 'PASS' || r.verdict === 'SKIP') {
      this.redraw();
      return;
    }

    this.clear();
    this.out.write(`${r.verdict.padEnd(10)} ${r.id} ${r.duration_ms} ms\n`);
    if (r.reason) this.out.write(`      ${r.reason}\n`);
    if (!['XFAIL', 'INFO'].includes(r.verdict)) this.out.write(`      rerun: ${r.rerun}\n`);
    this.draw();
  }

  finish(results: RunResults): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
    this.total = 0;
    this.plain.finish(results);
  }

  /** The status line as it reads now, cut to the terminal's width. */
  status(): string {
    const elapsed = this.now() - this.startedAt;
    const pct = this.total ? Math.floor((this.done / this.total) * 100) : 0;
    const width = String(this.total).length;
    const known = this.failedListed ? ` (${this.failedListed} listed)` : '';
    const left =
      this.done === 0
        ? 'estimating time left'
        : `~${formatDuration((elapsed / this.done) * (this.total - this.done))} left`;
    const parts = [
      `[${String(this.done).padStart(width)}/${this.total}] ${pct}%`,
      `${this.failed} failed${known}`,
      `${formatDuration(elapsed)} elapsed`,
      left,
    ];
    if (this.last) parts.push(this.last);
    const text = parts.join(' · ');
    // One column short of the width: a full line would wrap on some terminals
    // and the next \r would then rewrite the wrong row.
    // A pseudo-terminal without a size reports 0 columns.
    const max = Math.max(20, (this.out.columns || 80) - 1);
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  private redraw(): void {
    this.clear();
    this.draw();
  }

  private draw(): void {
    if (this.total === 0) return;
    this.out.write(this.status());
    this.shown = true;
  }

  private clear(): void {
    if (!this.shown) return;
    this.out.write(CLEAR_LINE);
    this.shown = false;
  }
}

/**
 * A live status line on a terminal; plain lines, one per cell, anywhere else
 * (a CI log, a pipe, a file, or a terminal that cannot erase a line).
 */
export function reporterFor(
  out: TtyStream & { isTTY?: boolean } = process.stdout,
  options: TtyOptions = {},
): Reporter {
  const capable = out.isTTY === true && process.env.TERM !== 'dumb';
  return capable
    ? new TtyReporter(out, options)
    : new PlainReporter(out as NodeJS.WritableStream, options.expectations);
}
