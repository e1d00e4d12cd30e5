// Everything that happens to one cell inside a run: the capability check, a
// dead worker brought back, the run itself, the level's say on the verdict,
// repeated runs for cells listed as flaky, and the log tails of a non-pass.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engines/engine.ts';
import { missingCapability } from './capabilities.ts';
import type { Judgement } from './cell-judge.ts';
import { judgeCell } from './cell-judge.ts';
import { makeCellResult, skippedCell } from './cell-result.ts';
import { runCell } from './cell-runner.ts';
import { collectFrames, collectMemory } from './evidence.ts';
import { findEntry } from './expectations/apply.ts';
import type { ExpectationsFile } from './expectations/file.ts';
import type { Cell } from './matrix.ts';
import type { Orchestrator } from './orchestrator.ts';
import { RAW, RAW_CAPABILITIES } from './raw-stage.ts';
import type { CellResult } from './report/results.ts';
import type { Secrets } from './secrets.ts';
import type { Verdict } from './verdict.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface CellContext {
  orch: Orchestrator;
  pool: WorkerPool;
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

/** Engine lines that mention this cell's channels (by id prefix), else its last lines. */
function engineTail(engine: Engine, channelIds: readonly string[]): string[] {
  const all = engine.tail(4000);
  const prefixes = channelIds.map((id) => id.slice(0, 8));
  const mine = all.filter((line) => prefixes.some((p) => line.includes(p)));
  return (mine.length > 0 ? mine : all).slice(-TAIL_LINES);
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
  const stagesLangs = [...new Set([cell.writer, ...cell.relays, cell.reader])];
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
    caps(cell.reader),
  );
  if (skip) return skippedCell(cell, skip, ctx.rerun(cell));

  const revived: string[] = [];
  for (const lang of langs) {
    const why = await pool.revive(lang);
    if (why) revived.push(`${lang} worker had ${why} and was restarted`);
  }
  const run = await runCell(ctx, cell);
  const judgement = judgeCell(cell.scenario, run);
  const verdict = applyLevel(cell.scenario.level, judgement.verdict, ctx.strict);
  const logs: Record<string, string[]> | undefined =
    verdict === 'PASS'
      ? undefined
      : {
          ...Object.fromEntries(langs.map((l) => [`worker-${l}`, workerTail(pool, l, cell)])),
          ...Object.fromEntries(
            run.stages
              .filter((s) => s.log)
              .map((s) => [`raw-${s.role}`, (s.log ?? []).slice(-TAIL_LINES)]),
          ),
          engine: engineTail(ctx.engine, run.channelIds),
        };
  if (revived.length > 0 && logs) logs.harness = revived;
  let result = makeCellResult(cell, run, { ...judgement, verdict }, logs, ctx.rerun(cell));
  if (cell.scenario.family === 'backpressure') {
    const writer = run.stages.find((s) => s.role === 'writer')?.digest?.rss_peak_kib;
    const memory = await collectMemory(ctx.engineKind, ctx.engineUrl, run.channelIds, writer);
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

async function runAndSettle(cell: Cell, ctx: CellContext): Promise<CellResult> {
  const result = await runOnce(cell, ctx);
  if (result.verdict !== 'SKIP') await settleDeliberateExit(cell, ctx);
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
