// The writer x reader matrix per family, as a table model that the terminal
// printer and summary.md both render. Each entry counts the cells of that
// pair that passed and names the worst other verdict, so it reads without colour.
import { stagesLabel } from '../matrix.ts';
import type { Verdict } from '../verdict.ts';
import type { CellResult } from './results.ts';

export interface MatrixEntry {
  pass: number;
  total: number;
  /** the worst verdict among the cells, PASS when all passed */
  worst: Verdict;
}

export interface FamilyMatrix {
  family: string;
  /** pair families: rows are writers, columns readers; pipelines: one column */
  rows: string[];
  columns: string[];
  entries: Map<string, MatrixEntry>;
}

const SEVERITY: Verdict[] = [
  'PASS',
  'INFO',
  'SKIP',
  'XFAIL',
  'NON-STRICT',
  'XPASS',
  'FAIL',
  'TIMEOUT',
  'ERROR',
];

const OK: ReadonlySet<Verdict> = new Set(['PASS', 'INFO', 'XFAIL', 'SKIP', 'NON-STRICT']);

export const entryKey = (row: string, column: string) => `${row}\u0000${column}`;

/**
 * Where a family's cells sit: pairs by writer and reader; a family with
 * pipelines or fan-outs has a row per stage list and one column.
 */
export function placerFor(family: readonly CellResult[]) {
  const multi = family.some((c) => c.relays.length > 0 || (c.fanout?.length ?? 0) > 0);
  return {
    rowOf: (c: CellResult) => (multi ? stagesLabel(c) : c.writer),
    columnOf: (c: CellResult) => (multi ? 'all hops' : c.reader),
  };
}

export function buildMatrices(
  cells: readonly CellResult[],
  langOrder: readonly string[] = [],
): FamilyMatrix[] {
  const byFamily = new Map<string, CellResult[]>();
  for (const cell of cells) {
    byFamily.set(cell.family, [...(byFamily.get(cell.family) ?? []), cell]);
  }
  return [...byFamily].map(([family, list]) => {
    const { rowOf, columnOf } = placerFor(list);
    const entries = new Map<string, MatrixEntry>();
    for (const cell of list) {
      const key = entryKey(rowOf(cell), columnOf(cell));
      const entry = entries.get(key) ?? { pass: 0, total: 0, worst: 'PASS' as Verdict };
      entry.total += 1;
      if (OK.has(cell.verdict)) entry.pass += 1;
      if (SEVERITY.indexOf(cell.verdict) > SEVERITY.indexOf(entry.worst))
        entry.worst = cell.verdict;
      entries.set(key, entry);
    }
    // Rows and columns follow the order the languages were given in (--langs),
    // not the order cells happened to finish.
    const rank = (name: string) => langOrder.indexOf(name.split('->')[0]);
    const unique = (xs: string[]) =>
      [...new Set(xs)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    return {
      family,
      rows: unique(list.map(rowOf)),
      columns: unique(list.map(columnOf)),
      entries,
    };
  });
}

export function entryText(entry: MatrixEntry | undefined): string {
  if (!entry) return '-';
  const counts = `${entry.pass}/${entry.total}`;
  return entry.worst === 'PASS' ? `ok ${counts}` : `${entry.worst} ${counts}`;
}
