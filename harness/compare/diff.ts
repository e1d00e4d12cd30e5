// Matches the cells of two runs and names what got worse, what got better,
// what appeared and what went away. Cells match by id without the engine
// suffix, so a run on the reference broker compares with one on a real engine.
import { EXIT } from '../exit-codes.ts';
import type { CellResult, RunResults } from '../report/results.ts';
import type { Verdict } from '../verdict.ts';
import { severity, worse } from './severity.ts';
import { type ThroughputChange, throughputChange } from './throughput.ts';

/** One cell id's attempts in one run, folded into its worst verdict. */
export interface CellSide {
  key: string;
  id: string;
  verdict: Verdict;
  /** how many attempts ran, and how many of them had `verdict` */
  attempts: number;
  worst_count: number;
  reason?: string;
  rerun: string;
}

export interface VerdictChange {
  key: string;
  old: CellSide;
  new: CellSide;
}

export interface RunInfo {
  path: string;
  run_id: string;
  engine: string;
  suite_version: string;
  /** language -> "SDK name version" */
  sdks: Record<string, string>;
  profile: string;
  repeat: number;
  interrupted: boolean;
  cells: number;
}

export interface Comparison {
  old: RunInfo;
  new: RunInfo;
  regressed: VerdictChange[];
  fixed: VerdictChange[];
  /** same rank, another verdict (e.g. FAIL -> TIMEOUT) */
  changed: VerdictChange[];
  added: CellSide[];
  removed: CellSide[];
  throughput: ThroughputChange[];
  unchanged: number;
  noise_pct: number;
}

/** "frames/size-0 ts->py@reference" -> "frames/size-0 ts->py" */
export const matchKey = (id: string) => id.replace(/@[^@\s]*$/, '');

function groupCells(cells: readonly CellResult[]): Map<string, CellResult[]> {
  const groups = new Map<string, CellResult[]>();
  for (const cell of cells) {
    const key = matchKey(cell.id);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  return groups;
}

function sideOf(key: string, attempts: readonly CellResult[]): CellSide {
  const verdict = attempts.map((c) => c.verdict).reduce(worse);
  const first = attempts.find((c) => c.verdict === verdict) ?? attempts[0];
  const reason = first.reason?.startsWith(`${first.id}: `)
    ? first.reason.slice(first.id.length + 2)
    : first.reason;
  return {
    key,
    id: first.id,
    verdict,
    attempts: attempts.length,
    worst_count: attempts.filter((c) => c.verdict === verdict).length,
    ...(reason ? { reason } : {}),
    rerun: first.rerun,
  };
}

function runInfo(path: string, r: RunResults): RunInfo {
  const sdks = Object.fromEntries(
    Object.entries(r.workers).map(([lang, d]) => [
      lang,
      d.sdk ? `${d.sdk.name} ${d.sdk.version}` : 'unknown SDK',
    ]),
  );
  return {
    path,
    run_id: r.run.id,
    engine: `${r.engine.label} ${r.engine.version}`,
    suite_version: r.suite_version,
    sdks,
    profile: r.run.profile,
    repeat: r.run.repeat,
    interrupted: r.run.interrupted,
    cells: r.cells.length,
  };
}

export interface CompareInput {
  path: string;
  results: RunResults;
}

export function compareRuns(
  oldRun: CompareInput,
  newRun: CompareInput,
  noisePct: number,
): Comparison {
  const before = groupCells(oldRun.results.cells);
  const after = groupCells(newRun.results.cells);
  const out: Comparison = {
    old: runInfo(oldRun.path, oldRun.results),
    new: runInfo(newRun.path, newRun.results),
    regressed: [],
    fixed: [],
    changed: [],
    added: [],
    removed: [],
    throughput: [],
    unchanged: 0,
    noise_pct: noisePct,
  };

  for (const [key, cells] of after) {
    const prior = before.get(key);
    if (!prior) {
      out.added.push(sideOf(key, cells));
      continue;
    }
    const change = { key, old: sideOf(key, prior), new: sideOf(key, cells) };
    const delta = severity(change.new.verdict) - severity(change.old.verdict);
    if (delta > 0) out.regressed.push(change);
    else if (delta < 0) out.fixed.push(change);
    else if (change.new.verdict !== change.old.verdict) out.changed.push(change);
    else out.unchanged += 1;

    const speed = throughputChange(key, prior, cells, noisePct);
    if (speed) out.throughput.push(speed);
  }
  for (const [key, cells] of before) {
    if (!after.has(key)) out.removed.push(sideOf(key, cells));
  }
  // Slowdowns first, the largest on top: they are what a reviewer looks for.
  out.throughput.sort((a, b) => a.change_pct - b.change_pct);
  return out;
}

/** Exit status of `compare`: 1 when any cell regressed (see severity.ts), else 0. */
export const compareExitStatus = (c: Comparison) =>
  c.regressed.length > 0 ? EXIT.FAILED : EXIT.OK;

/** "TIMEOUT" or, for repeated cells, "TIMEOUT (1 of 3)". */
export function verdictLabel(side: CellSide): string {
  if (side.attempts === 1 || side.worst_count === side.attempts) return side.verdict;
  return `${side.verdict} (${side.worst_count} of ${side.attempts})`;
}
