// Expands scenarios into cells: every writer/reader pair for pair scenarios,
// every rotation of the run's languages for pipelines, every worker as the
// source of a fan-out to all readers. Cell ids are stable:
// "<scenario-id> <writer>-><reader>@<engine>", pipelines listing every stage
// and fan-outs their readers joined by "+" ("ts->ts+py+rs+raw").
import type { Scenario } from '../scenarios/types.ts';
import { RAW } from './raw-stage.ts';

export interface Cell {
  id: string;
  scenario: Scenario;
  writer: string;
  relays: string[];
  reader: string;
  /** fan-out cells: the readers after `reader`, each on its own channel */
  fanout?: string[];
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

type Stages = Pick<Cell, 'writer' | 'relays' | 'reader' | 'fanout'>;

/** The stage part of a cell id: "ts->py->rs" or, for a fan-out, "ts->ts+py+rs+raw". */
export function stagesLabel(c: Stages): string {
  if (c.fanout?.length) return `${c.writer}->${[c.reader, ...c.fanout].join('+')}`;
  return [c.writer, ...c.relays, c.reader].join('->');
}

/** The same stages with every language passed through `swap`. */
export function mapStages(c: Stages, swap: (lang: string) => string): Stages {
  return {
    writer: swap(c.writer),
    relays: c.relays.map(swap),
    reader: swap(c.reader),
    ...(c.fanout ? { fanout: c.fanout.map(swap) } : {}),
  };
}

/** Every language a cell involves, in flow order, each once. */
export function cellLangs(cell: Stages): string[] {
  return [...new Set([cell.writer, ...cell.relays, cell.reader, ...(cell.fanout ?? [])])];
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
    const timeoutMs = opts.timeoutOverrideMs ?? scenario.timeoutMs ?? opts.defaultTimeoutMs;
    const push = (stages: Stages) => {
      const id = `${scenario.id} ${stagesLabel(stages)}@${opts.engine}`;
      for (let attempt = 1; attempt <= opts.repeat; attempt++) {
        cells.push({ id, scenario, ...stages, engine: opts.engine, timeoutMs, attempt });
      }
    };
    if (scenario.topology.kind === 'fanout') {
      const all = opts.langs.includes(RAW) ? [...workers, RAW] : workers;
      for (const writer of workers) {
        push({ writer, relays: [], reader: all[0], fanout: all.slice(1) });
      }
      continue;
    }
    const stalled = scenario.fault?.kind === 'stalled-upgrade' ? scenario.fault.side : undefined;
    const stageLists = stalled
      ? // The raw peer is the harness's own tool: only an SDK's handshake is on trial.
        workers.map((l) => (stalled === 'reader' ? [RAW, l] : [l, RAW]))
      : scenario.readers === 'raw'
        ? [...workers, RAW].map((w) => [w, RAW])
        : scenario.topology.kind === 'pipeline'
          ? rotations(workers, scenario.topology.relays + 2)
          : scenario.rawOps
            ? readers.map((r) => [RAW, r])
            : opts.langs.flatMap((w) => opts.langs.map((r) => [w, r]));
    for (const stages of stageLists) {
      push({
        writer: stages[0],
        relays: stages.slice(1, -1),
        reader: stages[stages.length - 1],
      });
    }
  }
  return cells;
}
