// One run of the matrix: engine up, workers up, cells in parallel up to the
// concurrency, expectations applied, reports written, and everything the run
// started torn down whatever happens, Ctrl-C included.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, EngineInfo } from '../engines/engine.ts';
import type { Tier } from '../scenarios/types.ts';
import { applyExpectations } from './expectations/apply.ts';
import type { ExpectationEntry, ExpectationsFile } from './expectations/file.ts';
import { FaultProxy } from './fault-proxy/index.ts';
import type { Cell } from './matrix.ts';
import { Orchestrator } from './orchestrator.ts';
import { needsProxy, proxiedCommands } from './proxied-workers.ts';
import { RAW, RAW_DESCRIPTION } from './raw-stage.ts';
import type { CellResult, RunResults } from './report/results.ts';
import { RESULTS_SCHEMA, summarize } from './report/results.ts';
import { writeReports } from './report/write-reports.ts';
import type { Reporter } from './reporter.ts';
import { type CellContext, runCellInContext } from './run-cell.ts';
import type { WorkerRuntime } from './runtime/runtime.ts';
import type { WorkerCommand } from './runtime/worker-process.ts';
import { Secrets } from './secrets.ts';
import { SUITE_VERSION } from './version.ts';
import { WorkerPool } from './worker-pool.ts';

export interface RunPlan {
  cells: Cell[];
  /** every cell id this engine and these languages allow, for stale-pattern checks */
  universe: string[];
  workers: WorkerCommand[];
  engine: Engine;
  engineKind: string;
  reportDir: string;
  profile: Tier;
  runtime: WorkerRuntime;
  concurrency: number;
  repeat: number;
  strict: boolean;
  expectations: ExpectationsFile;
  argv: string[];
  /** builds the one-line command that reruns a single cell */
  rerun: (cell: Cell) => string;
  /** the run's id when the caller needs it first (container labels); default: a new one */
  runId?: string;
  /** images the run's engine and workers came from (container runtime), for results.json */
  images?: RunResults['images'];
}

export interface RunOutcome {
  results: RunResults;
  interrupted: boolean;
  /** expectation patterns that matched no cell of the run's universe */
  stale: ExpectationEntry[];
}

/** Cells that kill a worker or need the whole machine run one at a time, last. */
function runsAlone(cell: Cell): boolean {
  if (cell.scenario.fault?.kind === 'engine-restart') return true;
  return cell.scenario.alone === true || cell.scenario.plan.ops.some((op) => 'exit' in op);
}

/** A run id: the start time and a random suffix, safe in file names and labels. */
export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function executeRun(plan: RunPlan, reporter: Reporter): Promise<RunOutcome> {
  const runId = plan.runId ?? newRunId();
  const secrets = new Secrets();
  const started = new Date();
  const logDir = join(plan.reportDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  let interrupted = false;
  let orch: Orchestrator | undefined;
  let pool: WorkerPool | undefined;
  let proxyPool: WorkerPool | undefined;
  let proxy: FaultProxy | undefined;
  const results: CellResult[] = [];
  const teardown = async () => {
    await orch?.stop().catch(() => undefined);
    await pool?.stop().catch(() => undefined);
    await proxyPool?.stop().catch(() => undefined);
    await proxy?.stop().catch(() => undefined);
    await plan.engine.stop().catch(() => undefined);
  };
  // The first Ctrl-C stops the engine and workers at once, so cells in flight
  // fail fast instead of running to their deadlines; a second one exits.
  const onSignal = (signal: string) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    reporter.line(`received ${signal}: stopping the engine and workers…`);
    void teardown();
  };
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((s) => {
    const h = () => onSignal(s);
    process.on(s, h);
    return [s, h] as const;
  });

  let info: EngineInfo = { wsUrl: '', label: plan.engineKind, version: 'unknown' };
  try {
    reporter.line(`starting engine ${plan.engineKind}…`);
    info = await plan.engine.start();
    reporter.line(`engine ${info.label} ${info.version} listening on ${info.wsUrl}`);
    const activeOrch = new Orchestrator(info.wsUrl, `conformance-orchestrator-${runId}`, secrets);
    orch = activeOrch;
    const activePool = new WorkerPool(
      activeOrch,
      secrets,
      () => info.wsUrl,
      runId,
      plan.runtime,
      logDir,
    );
    pool = activePool;
    reporter.line(`starting workers: ${plan.workers.map((w) => w.lang).join(', ')}…`);
    await activePool.start(plan.workers);
    for (const [lang, d] of activePool.descriptions) {
      reporter.line(
        `worker ${lang}: ${d.sdk?.name} ${d.sdk?.version} (worker ${d.worker_version})`,
      );
    }

    if (needsProxy(plan.cells)) {
      const twins = proxiedCommands(plan.cells, plan.workers);
      proxy = await FaultProxy.start({ upstream: info.wsUrl });
      const proxyUrl = proxy.url;
      reporter.line(
        `fault proxy on ${proxyUrl}; starting workers behind it: ${twins.map((w) => w.tag).join(', ') || 'none'}…`,
      );
      proxyPool = new WorkerPool(activeOrch, secrets, () => proxyUrl, runId, plan.runtime, logDir);
      await proxyPool.start(twins);
    }
    const activeProxy = proxy;

    const ctx: CellContext = {
      orch: activeOrch,
      pool: activePool,
      secrets,
      engine: plan.engine,
      expectations: plan.expectations,
      strict: plan.strict,
      rerun: plan.rerun,
      engineUrl: info.wsUrl,
      engineKind: plan.engineKind,
      ...(proxyPool ? { twins: proxyPool } : {}),
      ...(activeProxy
        ? {
            proxy: {
              url: activeProxy.url,
              addRule: (rule) => activeProxy.addRule(rule),
              eventsFor: (id) => activeProxy.eventsFor(id),
            },
          }
        : {}),
    };
    reporter.start(plan.cells.length);
    // Cells that kill a worker run alone at the end: a process that dies on
    // purpose must not take a neighbouring cell's stage down with it.
    const shared = plan.cells.filter((c) => !runsAlone(c));
    const alone = plan.cells.filter(runsAlone);
    const drain = async (queue: Cell[]): Promise<void> => {
      for (let cell = queue.shift(); cell && !interrupted; cell = queue.shift()) {
        // After Ctrl-C the teardown rejects the cells in flight ("iii is
        // shutting down"); they are dropped, not reported as a crash.
        const result = await runCellInContext(cell, ctx).catch((err: unknown) => {
          if (interrupted) return undefined;
          throw err;
        });
        if (interrupted || !result) return;
        results.push(result);
        reporter.cell(result);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, plan.concurrency) }, () => drain(shared)));
    await drain(alone);
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
    await teardown();
  }

  const { cells, unmatched } = applyExpectations(plan.expectations, results, plan.universe);
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
      interrupted,
    },
    engine: { kind: plan.engineKind, label: plan.engineKind, version: info.version },
    ...(plan.images ? { images: plan.images } : {}),
    workers: Object.fromEntries([
      ...plan.workers.flatMap((w) => {
        const d = pool?.descriptions.get(w.lang);
        return d ? [[w.lang, d]] : [];
      }),
      ...(plan.cells.some((c) => c.writer === RAW || c.reader === RAW)
        ? [[RAW, RAW_DESCRIPTION]]
        : []),
    ]),
    expectations: {
      file: plan.expectations.path,
      stale_patterns: unmatched.map((e) => e.cells),
    },
    summary: summarize(cells),
    cells,
  };
  writeReports(plan.reportDir, runResults, secrets, plan.engine.tail(100_000));
  return { results: runResults, interrupted, stale: unmatched };
}
