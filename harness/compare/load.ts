// Reads a results.json for `compare`. Anything this version of the harness
// cannot read with confidence is a UsageError (exit status 2), never a guess.
import { readFileSync } from 'node:fs';
import { RESULTS_SCHEMA, type RunResults } from '../report/results.ts';
import { UsageError } from '../usage-error.ts';
import type { Verdict } from '../verdict.ts';
import { SEVERITY } from './severity.ts';

export function loadResults(path: string): RunResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(
      `cannot read ${path} (${code}); pass the results.json inside a run's report folder`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path} is not JSON (${(err as Error).message})`);
  }
  return checkResults(data, path);
}

/** Checks the parts `compare` relies on; `source` names the input in messages. */
export function checkResults(data: unknown, source: string): RunResults {
  const r = data as Partial<RunResults> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r)) {
    throw new UsageError(`${source} is not a results.json object`);
  }
  if (r.schema !== RESULTS_SCHEMA) {
    const found = typeof r.schema === 'string' ? `schema "${r.schema}"` : 'no schema field';
    throw new UsageError(
      `${source} has ${found}; this harness reads "${RESULTS_SCHEMA}". ` +
        'Compare runs written by the same schema version, or rerun the older one.',
    );
  }
  if (!Array.isArray(r.cells) || !r.engine || !r.run || !r.workers) {
    throw new UsageError(`${source} lacks cells, run, engine or workers; is it truncated?`);
  }
  r.cells.forEach((cell, i) => {
    const ok =
      cell &&
      typeof cell.id === 'string' &&
      typeof cell.verdict === 'string' &&
      (cell.verdict as Verdict) in SEVERITY;
    if (!ok) {
      throw new UsageError(`${source}: cells[${i}] has no id or an unknown verdict`);
    }
  });
  return r as RunResults;
}
