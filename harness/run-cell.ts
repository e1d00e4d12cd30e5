// Everything that happens to one cell inside a run: the capability check, a
// dead worker brought back, the run itself, the level's say on the verdict,
// repeated runs for cells listed as flaky, and the log tails of a non-pass.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engines/engine.ts';
import { proxyFaultOf } from '../scenarios/types.ts';
import { missingCapability } from './capabilities.ts';
import type { Judgement } from './cell-judge.ts';
import { judgeCell } from './cell-judge.ts';
import { makeCellResult, skippedCell } from './cell-result.ts';
import { type CellProxy, runCell } from './cell-runner.ts';
import { channelTtlUnsupported } from './engine-faults.ts';
import { type EngineGrowth, sampleEngineGrowth } from './engine-memory.ts';
import { collectFrames, collectMemory } from './evidence.ts';
import { findEntry } from './expectations/apply.ts';
import type { ExpectationsFile } from './expectations/file.ts';
import { type Cell, cellLangs } from './matrix.ts';
import type { Orchestrator } from './orchestrator.ts';
import { proxiedTag } from './proxied-workers.ts';
import { RAW, RAW_CAPABILITIES } from './raw-stage.ts';
import type { CellResult } from './report/results.ts';
import type { Secrets } from './secrets.ts';
import type { Verdict } from './verdict.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface CellContext {
  orch: Orchestrator;
  pool: WorkerPool;
  /** the fault proxy, when the run has proxy-fault cells */
  proxy?: CellProxy;
  /** the workers started behind the proxy, by tag (ts_via_proxy, …) */
  twins?: WorkerPool;
  secrets: Secrets;
  engine: Engine;
  expectations: ExpectationsFile;
  /** SHOULD failures count as FAIL instead of NON-STRICT */
  strict: boolean;
  rerun: (cell: Cell) => string;
  engineUrl: string;
  engineKind: string;
}

const TAIL_LINES = 30;

/** The worker's lines about this cell, plus its last words if it died. */
function workerTail(pool: WorkerPool, lang: string, cell: Cell): string[] {
  const worker = pool.get(lang);
  const own = worker.logs.tail(TAIL_LINES, cell.id);
  return worker.alive ? own : [...own, '…', ...worker.logs.tail(10)];
}

/**
 * Engine log records that mention this cell's channels (by id prefix), else
 * its last lines. A record may span lines (iii puts each field on an indented
 * line of its own), so a match takes its whole record along.
 */
export function engineTail(lines: readonly string[], channelIds: readonly string[]): string[] {
  const prefixes = channelIds.map((id) => id.slice(0, 8));
  const continues = (line: string) => /^\s/.test(line);
  const keep = new Set<number>();
  lines.forEach((line, i) => {
    if (!prefixes.some((p) => line.includes(p))) return;
    let start = i;
    while (start > 0 && continues(lines[start])) start -= 1;
    let end = i;
    while (end + 1 < lines.length && continues(lines[end + 1])) end += 1;
    for (let j = start; j <= end; j++) keep.add(j);
  });
  const mine = [...keep].sort((a, b) => a - b).map((i) => lines[i]);
  return (mine.length > 0 ? mine : lines).slice(-2 * TAIL_LINES);
}

const NO_ENGINE_PID =
  'the engine has no host process to read (container runtime): only delivery was judged';

/** A cell that delivered still fails when the engine grew past its bound while the reader waited. */
function judgeEngineGrowth(
  judgement: Judgement,
  boundMiB: number | undefined,
  growth: EngineGrowth | null | undefined,
): Judgement {
  if (!boundMiB || !growth || judgement.verdict !== 'PASS') return judgement;
  if (growth.growth_kib <= boundMiB * 1024) return judgement;
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  return {
    verdict: 'FAIL',
    stage: 'engine',
    reason:
      `the engine grew by ${mib(growth.growth_kib)} MiB (from ${mib(growth.baseline_kib)} to ` +
      `${mib(growth.peak_kib)} MiB resident) while the reader waited, over the ${boundMiB} MiB ` +
      'bound: it buffered the writer instead of holding it back',
  };
}

/** MUST failures stand; SHOULD ones are NON-STRICT unless --strict; INFO ones are recorded. */
export function applyLevel(level: string, verdict: Judgement['verdict'], strict: boolean): Verdict {
  if (verdict !== 'FAIL' && verdict !== 'TIMEOUT') return verdict;
  if (level === 'SHOULD' && !strict) return 'NON-STRICT';
  if (level === 'INFO') return 'INFO';
  return verdict;
}

async function runOnce(cell: Cell, ctx: CellContext): Promise<CellResult> {
  const { pool } = ctx;
  const stagesLangs = cellLangs(cell);
  const langs = stagesLangs.filter((l) => l !== RAW);
  const caps = (lang: string) => {
    const c = lang === RAW ? RAW_CAPABILITIES : pool.descriptions.get(lang)?.capabilities;
    if (!c) throw new Error(`Internal error: ${lang} described no capabilities`);
    return { lang, caps: c };
  };
  const skip = missingCapability(
    cell.scenario,
    caps(cell.writer),
    cell.relays.map(caps),
    [cell.reader, ...(cell.fanout ?? [])].map(caps),
  );
  const engineSkip =
    cell.scenario.fault?.kind === 'channel-ttl' ? channelTtlUnsupported(ctx.engineKind) : null;
  if (skip || engineSkip) return skippedCell(cell, (skip ?? engineSkip) as string, ctx.rerun(cell));

  const revived: string[] = [];
  for (const lang of langs) {
    const why = await pool.revive(lang);
    if (why) revived.push(`${lang} worker had ${why} and was restarted`);
  }
  const bound = cell.scenario.engineMemoryBoundMiB;
  const sampling = bound
    ? sampleEngineGrowth(() => ctx.engine.pids(), cell.scenario.read.start_delay_ms ?? 0)
    : undefined;
  const run = await runCell(ctx, cell);
  const growth = await sampling;
  const judgement = judgeEngineGrowth(judgeCell(cell.scenario, run), bound, growth);
  const verdict = applyLevel(cell.scenario.level, judgement.verdict, ctx.strict);
  const logs: Record<string, string[]> | undefined =
    verdict === 'PASS'
      ? undefined
      : {
          ...Object.fromEntries(langs.map((l) => [`worker-${l}`, workerTail(pool, l, cell)])),
          // The side behind the proxy is the twin: its lines are the ones that matter.
          ...Object.fromEntries(
            langs
              .map(proxiedTag)
              .filter((tag) => proxyFaultOf(cell.scenario) && ctx.twins?.has(tag))
              .map((tag) => [`worker-${tag}`, workerTail(ctx.twins as WorkerPool, tag, cell)]),
          ),
          ...Object.fromEntries(
            run.stages
              .filter((s) => s.log)
              .map((s) => [`raw-${s.role}`, (s.log ?? []).slice(-TAIL_LINES)]),
          ),
          engine: engineTail(ctx.engine.tail(4000), run.channelIds),
          ...(run.proxyEvents ? { proxy: run.proxyEvents.slice(-TAIL_LINES) } : {}),
        };
  if (revived.length > 0 && logs) logs.harness = revived;
  let result = makeCellResult(cell, run, { ...judgement, verdict }, logs, ctx.rerun(cell));
  if (cell.scenario.family === 'backpressure') {
    const writer = run.stages.find((s) => s.role === 'writer')?.digest?.rss_peak_kib;
    const memory = await collectMemory(ctx.engineKind, ctx.engineUrl, run.channelIds, writer);
    if (bound && growth) memory.engine_growth = { ...growth, bound_kib: bound * 1024 };
    if (bound && !growth) memory.engine_growth_unmeasured = NO_ENGINE_PID;
    result = { ...result, memory };
  }
  if (verdict === 'PASS') return result;
  const frames = await collectFrames(ctx.engineKind, ctx.engineUrl, run.channelIds, run.stages);
  return frames.length > 0 ? { ...result, frames } : result;
}

/**
 * A writer told to exit is gone only once its process has ended; waiting for
 * that keeps the next cell from calling a worker that is about to vanish.
 */
async function settleDeliberateExit(cell: Cell, ctx: CellContext): Promise<void> {
  if (!cell.scenario.plan.ops.some((op) => 'exit' in op)) return;
  const worker = ctx.pool.get(cell.writer);
  for (let waited = 0; worker.alive && waited < EXIT_WAIT_MS; waited += 50) await sleep(50);
}

const EXIT_WAIT_MS = 5000;

/** How long the SDKs get to find a restarted engine again by themselves. */
const REREGISTER_MS = 20_000;

/**
 * After an engine restart every worker must register again on its own; one
 * of the cell's workers that does not is a failure of that cell (its SDK did
 * not reconnect), and any that does not is restarted so the run goes on.
 */
async function settleEngineRestart(cell: Cell, ctx: CellContext, result: CellResult) {
  const lost = await ctx.pool.afterEngineRestart(REREGISTER_MS);
  if (lost.length === 0) return result;
  const notes = lost.map(
    (lang) => `${lang} worker did not register again within ${REREGISTER_MS} ms and was restarted`,
  );
  const logs = { ...result.logs, harness: [...(result.logs?.harness ?? []), ...notes] };
  const mine = lost.filter((lang) => cellLangs(cell).includes(lang));
  if (mine.length === 0) return { ...result, logs };
  const why =
    `${mine.join(' and ')} worker(s) did not register again within ${REREGISTER_MS / 1000} s ` +
    'of the engine restart: the SDK did not reconnect';
  const verdict = applyLevel(cell.scenario.level, 'FAIL', ctx.strict);
  const reason = result.reason ? `${result.reason}; and ${why}` : `${cell.id}: ${why}`;
  return { ...result, verdict, reason, logs };
}

async function runAndSettle(cell: Cell, ctx: CellContext): Promise<CellResult> {
  const result = await runOnce(cell, ctx);
  if (result.verdict === 'SKIP') return result;
  await settleDeliberateExit(cell, ctx);
  if (cell.scenario.fault?.kind === 'engine-restart') return settleEngineRestart(cell, ctx, result);
  return result;
}

/** Runs a cell; a cell listed as flaky runs until it has its passes or cannot get them. */
export async function runCellInContext(cell: Cell, ctx: CellContext): Promise<CellResult> {
  const flaky = findEntry(ctx.expectations, cell.id)?.flaky;
  if (!flaky) return runAndSettle(cell, ctx);

  let passes = 0;
  let last: CellResult | undefined;
  let runs = 0;
  while (runs < flaky.of && passes < flaky.passes && passes + (flaky.of - runs) >= flaky.passes) {
    last = await runAndSettle(cell, ctx);
    runs += 1;
    if (last.verdict === 'PASS') passes += 1;
    if (last.verdict === 'SKIP') return last;
  }
  const result = last as CellResult;
  const record = { passes, runs, needed: flaky.passes };
  if (passes >= flaky.passes) return { ...result, verdict: 'PASS', flaky: record };
  const why = `listed as flaky (${flaky.passes} of ${flaky.of} must pass) but passed ${passes} of ${runs}`;
  const verdict = result.verdict === 'PASS' ? 'FAIL' : result.verdict;
  return {
    ...result,
    verdict,
    flaky: record,
    reason: `${cell.id}: ${why}; last run: ${result.reason ?? 'passed'}`,
  };
}
