// --update-expectations: rewrites the file so it lists exactly the current
// failures with the fewest patterns, keeping the reasons people wrote.

import { cellLangs } from '../matrix.ts';
import type { CellResult, RunResults } from '../report/results.ts';
import { matcherOf } from './apply.ts';
import { type ExpectationEntry, type ExpectationsFile, saveExpectations } from './file.ts';

const FAILED = new Set(['FAIL', 'TIMEOUT', 'NON-STRICT', 'XFAIL']);

/**
 * The narrowest set of patterns covering `failing` and nothing that passed:
 * a whole scenario, one writer or one reader across the others, else each cell.
 */
export function minimalPatterns(failing: CellResult[], all: CellResult[]): string[] {
  const patterns: string[] = [];
  const byScenario = new Map<string, CellResult[]>();
  for (const c of failing) byScenario.set(c.scenario, [...(byScenario.get(c.scenario) ?? []), c]);
  for (const [scenario, bad] of byScenario) {
    const engine = bad[0].engine;
    // Skipped cells say nothing either way, so they never block a wider pattern.
    const ran = all.filter((c) => c.scenario === scenario && c.verdict !== 'SKIP');
    const isBad = (c: CellResult) => bad.some((b) => b.id === c.id);
    if (ran.every(isBad)) {
      patterns.push(`${scenario} *@${engine}`);
      continue;
    }
    const covered = new Set<string>();
    for (const side of ['writer', 'reader'] as const) {
      for (const lang of new Set(bad.map((c) => c[side]))) {
        const group = ran.filter(
          (c) => c[side] === lang && c.relays.length === 0 && !c.fanout?.length,
        );
        if (group.length > 1 && group.every(isBad)) {
          patterns.push(`${scenario} ${side === 'writer' ? `${lang}->*` : `*->${lang}`}@${engine}`);
          for (const c of group) covered.add(c.id);
        }
      }
    }
    // A fan-out cell's id lists the run's languages; its writer alone names it
    // (one fan-out cell per writer) and survives a run with other --langs.
    for (const c of bad) {
      if (covered.has(c.id)) continue;
      patterns.push(c.fanout?.length ? `${scenario} ${c.writer}->*@${engine}` : c.id);
    }
  }
  return [...new Set(patterns)];
}

function appliesTo(cell: CellResult, results: RunResults): string {
  const sdk = (lang: string) => {
    const d = results.workers[lang]?.sdk;
    return d ? `${d.name} ${d.version}` : lang;
  };
  const sdks = cellLangs(cell).map(sdk).join(', ');
  return `engine ${results.engine.label} ${results.engine.version}; ${sdks}`;
}

export function updateExpectations(file: ExpectationsFile, results: RunResults): ExpectationsFile {
  const ran = new Set(results.cells.map((c) => c.id));
  const failing = results.cells.filter((c) => FAILED.has(c.verdict) && !c.flaky);
  // Entries about cells this run did not touch stay as they are.
  const kept = file.entries.filter((e) => {
    const m = matcherOf(e);
    if (![...ran].some((id) => m(id))) return true;
    return e.flaky !== undefined || e.intermittent === true || failing.some((c) => m(c.id));
  });
  const covered = (c: CellResult) => kept.some((e) => matcherOf(e)(c.id));
  const fresh = failing.filter((c) => !covered(c));
  const added: ExpectationEntry[] = minimalPatterns(fresh, results.cells).map((pattern) => {
    const example = fresh.find((c) => matcherOf({ cells: pattern } as ExpectationEntry)(c.id));
    const reason = (example?.reason ?? 'failing').replace(`${example?.id}: `, '');
    return {
      cells: pattern,
      reason: reason.length > 300 ? `${reason.slice(0, 297)}...` : reason,
      applies_to: example ? appliesTo(example, results) : results.engine.label,
    };
  });
  const next = { path: file.path, entries: [...kept, ...added] };
  saveExpectations(next);
  return next;
}
