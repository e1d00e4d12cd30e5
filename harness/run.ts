// One run of the matrix: engine up, workers up, cells in parallel up to the
// concurrency, reports written, everything started torn down, whatever happens.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, EngineInfo } from '../engines/engine.ts';
import type { Tier } from '../scenarios/types.ts';
import { missingCapability } from './capabilities.ts';
import { judgeCell } from './cell-judge.ts';
import { makeCellResult, skippedCell } from './cell-result.ts';
import { runCell } from './cell-runner.ts';
import type { Cell } from './matrix.ts';
import { Orchestrator } from './orchestrator.ts';
import type { CellResult, RunResults } from './report/results.ts';
import { RESULTS_SCHEMA, summarize } from './report/results.ts';
import { writeReports } from './report/write-reports.ts';
import type { Reporter } from './reporter.ts';
import type { WorkerRuntime } from './runtime/runtime.ts';
import type { WorkerCommand } from './runtime/worker-process.ts';
import { Secrets } from './secrets.ts';
import { SUITE_VERSION } from './version.ts';
import { WorkerPool } from './worker-pool.ts';

export interface RunPlan {
  cells: Cell[];
  workers: WorkerCommand[];
  engine: Engine;
  engineKind: string;
  reportDir: string;
  profile: Tier;
  runtime: WorkerRuntime;
  concurrency: number;
  repeat: number;
  argv: string[];
  /** builds the one-line command that reruns a single cell */
  rerun: (cell: Cell) => string;
}

export interface RunOutcome {
  results: RunResults;
  interrupted: boolean;
}

export async function executeRun(plan: RunPlan, reporter: Reporter): Promise<RunOutcome> {
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const secrets = new Secrets();
  const started = new Date();
  const logDir = join(plan.reportDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  let interrupted = false;
  let orch: Orchestrator | undefined;
  let pool: WorkerPool | undefined;
  const results: CellResult[] = [];
  const onSignal = (signal: string) => {
    if (interrupted) return;
    interrupted = true;
    reporter.line(`received ${signal}: stopping after cleanup…`);
  };
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((s) => {
    const h = () => onSignal(s);
    process.on(s, h);
    return [s, h] as const;
  });

  let info: EngineInfo = { wsUrl: '', label: plan.engineKind, version: 'unknown' };
  const engineUrl = () => info.wsUrl;
  try {
    reporter.line(`starting engine ${plan.engineKind}…`);
    info = await plan.engine.start();
    reporter.line(`engine ${info.label} ${info.version} listening on ${info.wsUrl}`);
    orch = new Orchestrator(info.wsUrl, `conformance-orchestrator-${runId}`, secrets);
    pool = new WorkerPool(orch, secrets, engineUrl, runId, plan.runtime, logDir);
    reporter.line(`starting workers: ${plan.workers.map((w) => w.lang).join(', ')}…`);
    await pool.start(plan.workers);
    for (const [lang, d] of pool.descriptions) {
      reporter.line(
        `worker ${lang}: ${d.sdk?.name} ${d.sdk?.version} (worker ${d.worker_version})`,
      );
    }

    reporter.start(plan.cells.length);
    const queue = [...plan.cells];
    const activePool = pool;
    const activeOrch = orch;
    const next = async (): Promise<void> => {
      for (let cell = queue.shift(); cell && !interrupted; cell = queue.shift()) {
        const result = await runOne(cell, activeOrch, activePool, secrets, plan);
        results.push(result);
        reporter.cell(result);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, next));
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
    await orch?.stop().catch(() => undefined);
    await pool?.stop().catch(() => undefined);
    await plan.engine.stop().catch(() => undefined);
  }

  const finished = new Date();
  const runResults: RunResults = {
    schema: RESULTS_SCHEMA,
    suite_version: SUITE_VERSION,
    run: {
      id: runId,
      started_at: started.toISOString(),
      finished_at: finished.toISOString(),
      duration_ms: finished.getTime() - started.getTime(),
      argv: plan.argv,
      profile: plan.profile,
      runtime: plan.runtime.name,
      concurrency: plan.concurrency,
      repeat: plan.repeat,
    },
    engine: { kind: plan.engineKind, label: plan.engineKind, version: info.version },
    workers: Object.fromEntries(pool?.descriptions ?? []),
    summary: summarize(results),
    cells: results,
  };
  writeReports(plan.reportDir, runResults, secrets, plan.engine.tail(100_000));
  return { results: runResults, interrupted };
}

const TAIL_LINES = 30;

/** The worker's lines about this cell, plus its last words if it died. */
function workerTail(pool: WorkerPool, lang: string, cell: Cell): string[] {
  const worker = pool.get(lang);
  const own = worker.logs.tail(TAIL_LINES, cell.id);
  return worker.alive ? own : [...own, '…', ...worker.logs.tail(10)];
}

/** Engine lines that mention this cell's channels (by id prefix), else its last lines. */
function engineTail(engine: Engine, channelIds: readonly string[]): string[] {
  const all = engine.tail(4000);
  const prefixes = channelIds.map((id) => id.slice(0, 8));
  const mine = all.filter((line) => prefixes.some((p) => line.includes(p)));
  return (mine.length > 0 ? mine : all).slice(-TAIL_LINES);
}

async function runOne(
  cell: Cell,
  orch: Orchestrator,
  pool: WorkerPool,
  secrets: Secrets,
  plan: RunPlan,
): Promise<CellResult> {
  const stages = [cell.writer, ...cell.relays, cell.reader];
  const langs = [...new Set(stages)];
  const caps = (lang: string) => {
    const c = pool.descriptions.get(lang)?.capabilities;
    if (!c) throw new Error(`Internal error: ${lang} described no capabilities`);
    return { lang, caps: c };
  };
  const skip = missingCapability(
    cell.scenario,
    caps(cell.writer),
    cell.relays.map(caps),
    caps(cell.reader),
  );
  if (skip) return skippedCell(cell, skip, plan.rerun(cell));

  const revived: string[] = [];
  for (const lang of langs) {
    const why = await pool.revive(lang);
    if (why) revived.push(`${lang} worker had ${why} and was restarted`);
  }
  const run = await runCell(orch, secrets, cell);
  const judgement = judgeCell(cell.scenario, run);
  const logs: Record<string, string[]> | undefined =
    judgement.verdict === 'PASS'
      ? undefined
      : {
          ...Object.fromEntries(
            langs.map((lang) => [`worker-${lang}`, workerTail(pool, lang, cell)]),
          ),
          engine: engineTail(plan.engine, run.channelIds),
        };
  if (revived.length > 0 && logs) logs.harness = revived;
  return makeCellResult(cell, run, judgement, logs, plan.rerun(cell));
}
