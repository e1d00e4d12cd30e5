// Which cells certify runs: every cell of the matrix over the new language
// and the reference languages that involves the new one (new->ref, ref->new,
// new->new and the pipeline rotations that pass through it).
import type { Scenario } from '../../scenarios/types.ts';
import { matcherOf } from '../expectations/apply.ts';
import type { ExpectationEntry, ExpectationsFile } from '../expectations/file.ts';
import { type Cell, cellLangs, expandCells, mapStages, stagesLabel } from '../matrix.ts';
import { RAW } from '../raw-stage.ts';

export interface CertifyMatrix {
  lang: string;
  refs: readonly string[];
  engine: string;
  timeoutMs?: number;
}

export function certifyCells(scenarios: readonly Scenario[], m: CertifyMatrix): Cell[] {
  return expandCells(scenarios, {
    langs: [m.lang, ...m.refs],
    engine: m.engine,
    defaultTimeoutMs: 30_000,
    timeoutOverrideMs: m.timeoutMs,
    repeat: 1,
  }).filter((cell) => cellLangs(cell).includes(m.lang));
}

/** new->ref, ref->new, new->new, raw->new or pipeline: how a cell involves the new SDK. */
export function directionOf(
  cell: Pick<Cell, 'writer' | 'relays' | 'reader' | 'fanout'>,
  lang: string,
) {
  if (cell.relays.length > 0 || (cell.fanout?.length ?? 0) > 0) return 'pipeline';
  if (cell.writer === RAW) return 'raw->new';
  if (cell.writer === lang && cell.reader === lang) return 'new->new';
  return cell.writer === lang ? 'new->ref' : 'ref->new';
}

const escapeGlob = (id: string) => id.replace(/[*?[\]{}()!+@\\]/g, (c) => `\\${c}`);

/**
 * An expectations entry excuses a certify cell only when it holds whatever
 * reference language stands where the new one is: then the known failure
 * belongs to a reference worker or the engine, never to the SDK under test.
 * Each excused cell gets an entry of its own, naming the original pattern.
 */
export function excusedEntries(
  file: ExpectationsFile,
  cells: readonly Cell[],
  m: CertifyMatrix,
): ExpectationsFile {
  const entries: ExpectationEntry[] = [];
  for (const cell of cells) {
    const entry = file.entries.find((e) => {
      const match = matcherOf(e);
      return m.refs.every((ref) => {
        const stages = mapStages(cell, (s) => (s === m.lang ? ref : s));
        return match(`${cell.scenario.id} ${stagesLabel(stages)}@${cell.engine}`);
      });
    });
    if (!entry) continue;
    entries.push({
      ...entry,
      cells: escapeGlob(cell.id),
      reason: `${entry.reason} (reference-side known failure "${entry.cells}" in ${file.path})`,
    });
  }
  return { path: file.path, entries };
}
