// Getting a stage's answer back when the engine lost it. An engine restart
// drops the invocations in flight, so once the workers have registered again
// the harness asks each one, through the new engine, what its call for the
// cell produced (conformance::<lang>::recall, docs/worker-contract.md).
import { setTimeout as sleep } from 'node:timers/promises';
import type { StageReport } from './cell-runner.ts';
import type { Orchestrator } from './orchestrator.ts';
import { parseRecallResult } from './schema/messages.ts';
import type { RecallResult } from './schema/types.ts';

export type StageDigests = Pick<StageReport, 'digest' | 'output' | 'branches'>;

/** A worker's answer turned into a stage report; a malformed answer is a worker fault. */
export function stageFrom(
  role: string,
  lang: string,
  result: unknown,
  read: (result: unknown) => StageDigests,
): StageReport {
  try {
    return { role, lang, ...read(result) };
  } catch (err) {
    const message = `malformed result: ${(err as Error).message}`;
    return { role, lang, failure: { kind: 'error', code: 'SCHEMA', message } };
  }
}

export interface RecallQuery {
  role: string;
  lang: string;
  call: 'write' | 'read' | 'relay';
  cell: string;
  /** performance.now() past which the harness stops asking */
  untilMs: number;
}

const POLL_MS = 250;
const CALL_TIMEOUT_MS = 2000;

/**
 * Asks until the worker has the call's result or says it has none. Until it
 * has registered again its recall fails; while the call works it is listed
 * as running. A worker with no record of the call never got it.
 */
export async function recallStage(
  orch: Orchestrator,
  q: RecallQuery,
  read: (result: unknown) => StageDigests,
): Promise<StageReport> {
  const { role, lang } = q;
  let last = 'the worker never answered recall';
  while (performance.now() < q.untilMs && !orch.isStopped) {
    let raw: unknown;
    try {
      raw = await orch.call(`conformance::${lang}::recall`, { cell: q.cell }, CALL_TIMEOUT_MS);
    } catch (err) {
      // Most likely not registered again yet: ask again.
      last = `recall failed: ${(err as Error).message}`;
      await sleep(POLL_MS);
      continue;
    }
    // A malformed answer is a worker fault at once, as it would be without a restart.
    let answer: RecallResult;
    try {
      answer = parseRecallResult(raw);
    } catch (err) {
      const message = `malformed recall answer: ${(err as Error).message}`;
      return { role, lang, failure: { kind: 'error', code: 'SCHEMA', message } };
    }
    const result = answer[q.call];
    if (result) return { ...stageFrom(role, lang, result, read), recalled: true };
    if (!answer.running.includes(q.call)) {
      const message = `after the engine restart the worker has no result of its ${q.call} call`;
      return { role, lang, failure: { kind: 'error', code: 'LOST', message } };
    }
    last = `its ${q.call} call was still running`;
    await sleep(POLL_MS);
  }
  const message = `no answer recalled before the cell deadline (${last})`;
  return { role, lang, failure: { kind: 'timeout', code: 'RECALL', message } };
}
