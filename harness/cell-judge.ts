// Decides a cell's verdict from its stage reports. Stages are judged in flow
// order (writer, each relay, reader) and the first problem names the cell's
// reason, so a pipeline failure points at the hop where it started.

import type { Scenario } from '../scenarios/types.ts';
import type { CellRun, StageReport } from './cell-runner.ts';
import type { Expected } from './expected.ts';
import type { Digest } from './schema/types.ts';
import { type Finding, judgeReader, judgeWriter } from './verdict.ts';

export interface Judgement {
  verdict: 'PASS' | Finding['verdict'];
  reason?: string;
  /** the stage the reason is about, e.g. "reader" or "relay-1" */
  stage?: string;
}

function callFailure(stage: StageReport): Finding | null {
  if (!stage.failure) return null;
  const { kind, code, message } = stage.failure;
  const who = `${stage.role} (${stage.lang})`;
  if (kind === 'timeout') {
    return {
      verdict: 'TIMEOUT',
      reason: `${who} did not answer before the cell deadline: ${message}`,
    };
  }
  return { verdict: 'ERROR', reason: `${who} call failed: ${code}: ${message}` };
}

/** Wrong-key scenarios: the side holding the bad key must see an error, not a stream. */
function judgeWrongKey(side: 'reader' | 'writer', stage: StageReport): Finding | null {
  const d = stage.digest as Digest;
  if (d.end === 'error') return null;
  if (d.end === 'timeout') {
    return {
      verdict: 'FAIL',
      reason: `${side} with a wrong access key was neither refused nor failed: still waiting at its deadline`,
    };
  }
  const what =
    side === 'reader' ? `read ${d.bytes} B and ${d.texts.length} texts` : `wrote ${d.bytes} B`;
  return {
    verdict: 'FAIL',
    reason: `${side} with a wrong access key ended "${d.end}" after it ${what}; it must be refused`,
  };
}

export function judgeCell(scenario: Scenario, run: CellRun): Judgement {
  const exp: Expected = run.expected;
  const fault = scenario.fault;
  const relayStages = run.stages.filter((s) => s.role.startsWith('relay-'));

  for (const stage of run.stages) {
    const failure = callFailure(stage);
    if (failure) return { ...failure, stage: stage.role };
  }

  if (fault?.kind === 'wrong-key') {
    const stage = run.stages.find((s) => s.role === fault.side) as StageReport;
    const finding = judgeWrongKey(fault.side, stage);
    return finding ? { ...finding, stage: fault.side } : { verdict: 'PASS' };
  }

  const order: [string, Finding | null][] = [];
  const writer = run.stages.find((s) => s.role === 'writer');
  if (writer?.digest) order.push(['writer', judgeWriter(exp, writer.digest)]);
  for (const relay of relayStages) {
    order.push([
      `${relay.role} input`,
      judgeReader(`${relay.role} (${relay.lang}) input`, exp, relay.digest as Digest),
    ]);
    order.push([`${relay.role} output`, judgeWriter(exp, relay.output as Digest)]);
  }
  const reader = run.stages.find((s) => s.role === 'reader');
  if (reader?.digest) {
    order.push([
      'reader',
      judgeReader('reader', exp, reader.digest, scenario.checkTextOrder ?? false),
    ]);
  }

  for (const [stage, finding] of order) {
    if (finding) return { ...finding, stage };
  }
  return { verdict: 'PASS' };
}
