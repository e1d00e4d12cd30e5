// The certificate of one SDK: who was tested against what, which levels it
// reached, and every cell that did not pass with its reason and rerun hint.
// It is built from the run's results.json, which is already free of keys.
import { FAILING, type RunResults } from '../report/results.ts';
import type { Capabilities } from '../schema/types.ts';
import { directionOf } from './cells.ts';

export const CERTIFICATE_SCHEMA = 'iii-conformance/certificate/v1';

export interface LevelTally {
  total: number;
  pass: number;
  /** known failures of a reference worker or the engine, not of the SDK */
  excused: number;
  skip: number;
  fail: number;
}

export interface CertificateFailure {
  cell: string;
  level: string;
  verdict: string;
  direction: string;
  reason: string;
  rerun: string;
  excused_by?: string;
}

export interface Certificate {
  schema: typeof CERTIFICATE_SCHEMA;
  certified: boolean;
  interrupted: boolean;
  sdk: {
    lang: string;
    name: string;
    version: string;
    worker_version: string;
    contract_version: string;
    capabilities: Capabilities | null;
    worker_command: string;
  };
  engine: RunResults['engine'];
  suite_version: string;
  references: { lang: string; sdk: string; version: string }[];
  run: { id: string; started_at: string; duration_ms: number; cells: number };
  levels: {
    must: LevelTally & { all_passed: boolean };
    should: LevelTally & { pass_rate: number | null };
    info: LevelTally;
  };
  directions: Record<string, Record<string, number>>;
  failures: CertificateFailure[];
  skipped: { reason: string; cells: number }[];
}

const tally = (): LevelTally => ({ total: 0, pass: 0, excused: 0, skip: 0, fail: 0 });

export interface CertifyInput {
  lang: string;
  sdkName?: string;
  workerCommand: string;
  results: RunResults;
}

export function buildCertificate(input: CertifyInput): Certificate {
  const { lang, results } = input;
  const own = results.workers[lang];
  const levels = { must: tally(), should: tally(), info: tally() };
  const directions: Record<string, Record<string, number>> = {};
  const failures: CertificateFailure[] = [];
  const skipped = new Map<string, number>();

  for (const cell of results.cells) {
    const level = levels[cell.level.toLowerCase() as keyof typeof levels] ?? levels.info;
    const direction = directionOf(cell, lang);
    directions[direction] ??= {};
    const byVerdict = directions[direction];
    byVerdict[cell.verdict] = (byVerdict[cell.verdict] ?? 0) + 1;
    level.total += 1;
    if (cell.verdict === 'PASS' || cell.verdict === 'XPASS') level.pass += 1;
    else if (cell.verdict === 'SKIP') {
      level.skip += 1;
      const reason = cell.reason ?? 'skipped';
      skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
    } else if (cell.verdict === 'XFAIL') level.excused += 1;
    else level.fail += 1;
    if (['PASS', 'XPASS', 'SKIP'].includes(cell.verdict)) continue;
    failures.push({
      cell: cell.id,
      level: cell.level,
      verdict: cell.verdict,
      direction,
      reason: cell.reason ?? `${cell.id}: ${cell.listed_verdict ?? cell.verdict}`,
      rerun: cell.rerun,
      ...(cell.expectation ? { excused_by: cell.expectation.reason } : {}),
    });
  }

  const mustFailed = results.cells.some((c) => c.level === 'MUST' && FAILING.has(c.verdict));
  const should = levels.should;
  const shouldRan = should.total - should.skip;
  const interrupted = results.run.interrupted;
  return {
    schema: CERTIFICATE_SCHEMA,
    certified: !mustFailed && !interrupted,
    interrupted,
    sdk: {
      lang,
      name: input.sdkName ?? own?.sdk?.name ?? 'unknown',
      version: own?.sdk?.version ?? 'unknown',
      worker_version: own?.worker_version ?? 'unknown',
      contract_version: own?.contract_version ?? 'unknown',
      capabilities: own?.capabilities ?? null,
      worker_command: input.workerCommand,
    },
    engine: results.engine,
    suite_version: results.suite_version,
    references: Object.entries(results.workers)
      .filter(([l]) => l !== lang)
      .map(([l, d]) => ({ lang: l, sdk: d.sdk?.name ?? '?', version: d.sdk?.version ?? '?' })),
    run: {
      id: results.run.id,
      started_at: results.run.started_at,
      duration_ms: results.run.duration_ms,
      cells: results.cells.length,
    },
    levels: {
      must: { ...levels.must, all_passed: !mustFailed },
      should: { ...should, pass_rate: shouldRan > 0 ? should.pass / shouldRan : null },
      info: levels.info,
    },
    directions,
    failures,
    skipped: [...skipped].map(([reason, cells]) => ({ reason, cells })),
  };
}
