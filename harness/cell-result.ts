// Builds the results.json entry of a cell from its run and judgement.

import type { CellRun } from './cell-runner.ts';
import { expectedFor } from './expected.ts';
import type { Cell } from './matrix.ts';
import type { CellResult } from './report/results.ts';
import type { Verdict } from './verdict.ts';

function base(cell: Cell, rerun: string): Omit<CellResult, 'verdict' | 'expected'> {
  const s = cell.scenario;
  return {
    id: cell.id,
    scenario: s.id,
    family: s.family,
    level: s.level,
    writer: cell.writer,
    reader: cell.reader,
    relays: cell.relays,
    ...(cell.fanout ? { fanout: cell.fanout } : {}),
    engine: cell.engine,
    attempt: cell.attempt,
    observed: null,
    writer_digest: null,
    hops: [],
    duration_ms: 0,
    throughput_mbps: 0,
    rerun,
  };
}

function expectedSummary(cell: Cell): CellResult['expected'] {
  const { bytes, sha256, texts, texts_sha256 } = expectedFor(cell.scenario.plan);
  return { bytes, sha256, texts, texts_sha256 };
}

export function skippedCell(cell: Cell, reason: string, rerun: string): CellResult {
  return { ...base(cell, rerun), verdict: 'SKIP', reason, expected: expectedSummary(cell) };
}

export function makeCellResult(
  cell: Cell,
  run: CellRun,
  judgement: { verdict: Verdict; reason?: string; stage?: string },
  logs: Record<string, string[]> | undefined,
  rerun: string,
): CellResult {
  const writer = run.stages.find((s) => s.role === 'writer');
  const reader = run.stages.find((s) => s.role === 'reader');
  const hops = run.stages
    .filter((s) => s.role.startsWith('relay-'))
    .map((s) => ({
      role: s.role,
      lang: s.lang,
      input: s.digest ?? null,
      output: s.output ?? null,
    }));
  const branches = (cell.fanout ?? []).map((lang, i) => {
    const k = i + 2;
    const at = (role: string) => run.stages.find((s) => s.role === role)?.digest ?? null;
    return { channel: k, reader_lang: lang, writer: at(`writer-${k}`), reader: at(`reader-${k}`) };
  });
  const seconds = run.durationMs / 1000;
  return {
    ...base(cell, rerun),
    verdict: judgement.verdict,
    ...(judgement.reason ? { reason: `${cell.id}: ${judgement.reason}` } : {}),
    ...(judgement.stage ? { stage: judgement.stage } : {}),
    expected: expectedSummary(cell),
    observed: reader?.digest ?? null,
    writer_digest: writer?.digest ?? null,
    hops,
    ...(branches.length > 0 ? { branches } : {}),
    duration_ms: run.durationMs,
    throughput_mbps:
      seconds > 0 ? Math.round(((run.expected.bytes * 8) / 1e6 / seconds) * 100) / 100 : 0,
    ...(logs ? { logs } : {}),
  };
}
