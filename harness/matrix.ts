// Expands scenarios into cells: every writer/reader pair for pair scenarios,
// every rotation of the run's languages for pipelines. Cell ids are stable:
// "<scenario-id> <writer>-><reader>@<engine>", pipelines listing every stage.
import type { Scenario } from '../scenarios/types.ts';
import { RAW } from './raw-stage.ts';

export interface Cell {
  id: string;
  scenario: Scenario;
  writer: string;
  relays: string[];
  reader: string;
  engine: string;
  timeoutMs: number;
  /** 1-based repetition when --repeat is above 1 */
  attempt: number;
}

export function cellId(scenarioId: string, stages: readonly string[], engine: string): string {
  return `${scenarioId} ${stages.join('->')}@${engine}`;
}

/** Every rotation of `langs` stretched to `length` stages: ts,py,rs -> ts->py->rs, py->rs->ts, ... */
export function rotations(langs: readonly string[], length: number): string[][] {
  return langs.map((_, start) =>
    Array.from({ length }, (_, i) => langs[(start + i) % langs.length]),
  );
}

export interface MatrixOptions {
  langs: readonly string[];
  engine: string;
  defaultTimeoutMs: number;
  /** --timeout-ms given explicitly: it overrides the scenarios' own deadlines */
  timeoutOverrideMs?: number;
  repeat: number;
}

export function expandCells(scenarios: readonly Scenario[], opts: MatrixOptions): Cell[] {
  const cells: Cell[] = [];
  for (const scenario of scenarios) {
    const workers = opts.langs.filter((l) => l !== RAW);
    const readers = [...workers, RAW];
    const stageLists =
      scenario.topology.kind === 'pipeline'
        ? rotations(workers, scenario.topology.relays + 2)
        : scenario.rawOps
          ? readers.map((r) => [RAW, r])
          : opts.langs.flatMap((w) => opts.langs.map((r) => [w, r]));
    const timeoutMs = opts.timeoutOverrideMs ?? scenario.timeoutMs ?? opts.defaultTimeoutMs;
    for (const stages of stageLists) {
      for (let attempt = 1; attempt <= opts.repeat; attempt++) {
        cells.push({
          id: cellId(scenario.id, stages, opts.engine),
          scenario,
          writer: stages[0],
          relays: stages.slice(1, -1),
          reader: stages[stages.length - 1],
          engine: opts.engine,
          timeoutMs,
          attempt,
        });
      }
    }
  }
  return cells;
}
