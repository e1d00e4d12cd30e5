// Applies an expectations file to a run's cells, both ways: listed failures
// become XFAIL, listed passes become XPASS, and patterns that match no cell
// the run could have had are reported as stale.
import picomatch from 'picomatch';
import type { CellResult } from '../report/results.ts';
import type { ExpectationEntry, ExpectationsFile } from './file.ts';

/** Verdicts an entry may excuse. ERROR is a harness or worker fault and never is. */
const EXCUSABLE = new Set(['FAIL', 'TIMEOUT', 'NON-STRICT']);

export interface ExpectationOutcome {
  cells: CellResult[];
  /** patterns that match no cell of the run's universe */
  unmatched: ExpectationEntry[];
}

export function matcherOf(entry: ExpectationEntry): (id: string) => boolean {
  return picomatch(entry.cells);
}

export function findEntry(file: ExpectationsFile, cellId: string): ExpectationEntry | undefined {
  return file.entries.find((e) => matcherOf(e)(cellId));
}

/**
 * `universe` is every cell id the run's engine and languages allow, whatever
 * the filters: a pattern outside it is a typo or a removed scenario.
 */
export function applyExpectations(
  file: ExpectationsFile,
  cells: readonly CellResult[],
  universe: readonly string[],
): ExpectationOutcome {
  // Call the matcher with the id alone: picomatch's second argument turns
  // its answer into an always-truthy object.
  const unmatched = file.entries.filter((e) => {
    const matches = matcherOf(e);
    return !universe.some((id) => matches(id));
  });
  const out = cells.map((cell) => {
    const entry = findEntry(file, cell.id);
    if (!entry || entry.flaky) return cell;
    const expectation = {
      pattern: entry.cells,
      reason: entry.reason,
      applies_to: entry.applies_to,
    };
    if (EXCUSABLE.has(cell.verdict)) {
      return { ...cell, verdict: 'XFAIL' as const, listed_verdict: cell.verdict, expectation };
    }
    if (cell.verdict === 'PASS' && entry.intermittent) return { ...cell, expectation };
    if (cell.verdict === 'PASS') {
      const reason =
        `${cell.id}: listed as a known failure (${entry.reason}; ${entry.applies_to}) ` +
        `but passed; remove or narrow the entry "${entry.cells}" in ${file.path}`;
      return { ...cell, verdict: 'XPASS' as const, reason, expectation };
    }
    return cell;
  });
  return { cells: out, unmatched };
}
