// Decides a cell's verdict from its stage reports. Stages are judged in flow
// order (writer, each relay, reader) and the first problem names the cell's
// reason, so a pipeline failure points at the hop where it started.

import type { Scenario } from '../scenarios/types.ts';
import type { CellRun, StageReport } from './cell-runner.ts';
import type { Expected } from './expected.ts';
import {
  judgeEngineRestart,
  judgeProxyReset,
  judgeReaderStopped,
  judgeReuse,
  judgeSecondReader,
  judgeStalledUpgrade,
  judgeSwept,
  judgeTextsOnly,
  judgeWriterDied,
  judgeWrongKey,
  type StagedFinding,
} from './fault-judges.ts';
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

export function judgeCell(scenario: Scenario, run: CellRun): Judgement {
  const exp: Expected = run.expected;
  const fault = scenario.fault;
  const outcome = scenario.outcome ?? 'deliver';
  const byRole = (role: string) => run.stages.find((s) => s.role === role);
  const digestOf = (role: string) => byRole(role)?.digest as Digest;

  // A writer that exits on purpose cannot answer its own call.
  const answering =
    outcome === 'writer-dies' ? run.stages.filter((s) => s.role !== 'writer') : run.stages;
  for (const stage of answering) {
    const failure = callFailure(stage);
    if (failure) return { ...failure, stage: stage.role };
  }

  const special = judgeSpecial(scenario, exp, run, digestOf);
  if (special !== undefined) {
    return special ? { ...special.finding, stage: special.stage } : { verdict: 'PASS' };
  }
  if (fault?.kind === 'reuse-after-finish') {
    const first = judgeFlow(scenario, exp, run);
    if (first.verdict !== 'PASS') return first;
    const finding = judgeReuse(digestOf('reader-2'));
    return finding ? { ...finding, stage: 'reader-2' } : { verdict: 'PASS' };
  }
  return judgeFlow(scenario, exp, run);
}

type Special = { finding: Finding; stage: string } | null | undefined;

/** Faults and outcomes with a rule of their own; undefined means the normal flow. */
function judgeSpecial(
  scenario: Scenario,
  exp: Expected,
  run: CellRun,
  digestOf: (role: string) => Digest,
): Special {
  const fault = scenario.fault;
  const wrap = (finding: Finding | null, stage: string): Special =>
    finding ? { finding, stage } : null;
  const staged = (finding: StagedFinding | null): Special =>
    finding ? { finding, stage: finding.stage } : null;
  if (fault?.kind === 'wrong-key') {
    return wrap(judgeWrongKey(fault.side, digestOf(fault.side)), fault.side);
  }
  if (fault?.kind === 'second-reader') {
    return wrap(judgeSecondReader(exp, digestOf('reader'), digestOf('reader-2')), 'reader-2');
  }
  if (fault?.kind === 'engine-restart') {
    return staged(judgeEngineRestart(exp, digestOf('writer'), digestOf('reader')));
  }
  if (fault?.kind === 'stalled-upgrade') {
    return staged(judgeStalledUpgrade(fault.side, digestOf(fault.side)));
  }
  if (fault?.kind === 'proxy-reset') {
    return staged(judgeProxyReset(exp, digestOf('writer'), digestOf('reader'), fault.afterBytes));
  }
  if (fault?.kind === 'channel-ttl') {
    return staged(judgeSwept(digestOf('writer'), digestOf('reader')));
  }
  if (scenario.read.style === 'TEXTS_ONLY') {
    const writer = run.stages.find((s) => s.role === 'writer')?.digest;
    const writerFinding = writer ? judgeWriter(exp, writer) : null;
    if (writerFinding) return wrap(writerFinding, 'writer');
    return wrap(judgeTextsOnly(exp, digestOf('reader')), 'reader');
  }
  if (scenario.outcome === 'writer-dies') {
    const how = scenario.rawOps ? 'the raw writer broke off' : 'the writer process died';
    return wrap(judgeWriterDied(exp, digestOf('reader'), how), 'reader');
  }
  if (scenario.outcome === 'reader-stops') {
    const writer = run.stages.find((s) => s.role === 'writer') as StageReport;
    return wrap(judgeReaderStopped(exp, writer, digestOf('reader')), 'writer');
  }
  return undefined;
}

/**
 * The normal flow: writer, each relay hop, reader, first problem wins. A
 * fan-out is judged channel by channel: writer-k's digest, then reader-k's.
 */
function judgeFlow(scenario: Scenario, exp: Expected, run: CellRun): Judgement {
  const order: [string, Finding | null][] = [];
  const writer = run.stages.find((s) => s.role === 'writer');
  if (writer?.digest) order.push(['writer', judgeWriter(exp, writer.digest)]);
  const checkOrder = scenario.checkTextOrder ?? false;
  if (scenario.topology.kind === 'fanout') {
    const branches = run.stages.filter((s) => /^reader-\d+$/.test(s.role));
    const first = run.stages.find((s) => s.role === 'reader');
    if (first?.digest) {
      order.push(['reader', judgeReader(`reader (${first.lang})`, exp, first.digest, checkOrder)]);
    }
    for (const reader of branches) {
      const k = reader.role.slice('reader-'.length);
      const branchWriter = run.stages.find((s) => s.role === `writer-${k}`);
      order.push([
        `writer-${k}`,
        branchWriter?.digest
          ? judgeWriter(exp, branchWriter.digest)
          : { verdict: 'ERROR', reason: `the writer reported no digest for channel ${k}` },
      ]);
      const label = `${reader.role} (${reader.lang})`;
      order.push([reader.role, judgeReader(label, exp, reader.digest as Digest, checkOrder)]);
    }
    return firstProblem(order);
  }
  for (const relay of run.stages.filter((s) => s.role.startsWith('relay-'))) {
    order.push([
      `${relay.role} input`,
      judgeReader(`${relay.role} (${relay.lang}) input`, exp, relay.digest as Digest),
    ]);
    order.push([`${relay.role} output`, judgeWriter(exp, relay.output as Digest)]);
  }
  const reader = run.stages.find((s) => s.role === 'reader');
  if (reader?.digest) {
    order.push(['reader', judgeReader('reader', exp, reader.digest, checkOrder)]);
  }
  return firstProblem(order);
}

function firstProblem(order: readonly [string, Finding | null][]): Judgement {
  for (const [stage, finding] of order) {
    if (finding) return { ...finding, stage };
  }
  return { verdict: 'PASS' };
}
