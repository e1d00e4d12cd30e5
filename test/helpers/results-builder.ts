// Builds results.json objects in code for the report and compare tests, so
// they need no engine or workers.
import {
  type CellResult,
  RESULTS_SCHEMA,
  type RunResults,
  summarize,
} from '../../harness/report/results.ts';
import type { Description, Digest } from '../../harness/schema/types.ts';

const SHA_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function digest(
  role: string,
  lang: string,
  bytes: number,
  sha256 = 'ab'.repeat(32),
): Digest {
  return {
    role,
    lang,
    bytes,
    sha256,
    texts: [],
    texts_sha256: SHA_EMPTY,
    chunks: 1,
    empty_chunks: 0,
    max_chunk: bytes,
    end: 'closed',
    error: null,
    timing: { start_ms: 0, first_byte_ms: 1, end_ms: 10 },
    rss_peak_kib: 1000,
    mismatch: null,
  };
}

/** A cell; `stages` is "ts->py" or "ts->py->ts". */
export function cell(
  scenario: string,
  stages: string,
  overrides: Partial<CellResult> = {},
): CellResult {
  const langs = stages.split('->');
  const engine = overrides.engine ?? 'reference';
  const id = `${scenario} ${stages}@${engine}`;
  const bytes = overrides.expected?.bytes ?? 1_048_577;
  const unique = [...new Set(langs)].join(',');
  return {
    id,
    scenario,
    family: scenario.split('/')[0],
    level: 'MUST',
    writer: langs[0],
    reader: langs[langs.length - 1],
    relays: langs.slice(1, -1),
    engine,
    attempt: 1,
    verdict: 'PASS',
    expected: { bytes, sha256: 'ab'.repeat(32), texts: [], texts_sha256: SHA_EMPTY },
    observed: digest('reader', langs[langs.length - 1], bytes),
    writer_digest: digest('writer', langs[0], bytes),
    hops: [],
    duration_ms: 100,
    throughput_mbps: 80,
    rerun: `npx iii-conformance run --engine ${engine} --langs ${unique} --cell '${id}'`,
    ...overrides,
  };
}

const describe = (lang: string, name: string, version: string): Description => ({
  lang,
  sdk: { name, version },
  worker_version: '0.1.0',
  capabilities: null,
  contract_version: '1',
});

export function run(cells: CellResult[], overrides: Partial<RunResults> = {}): RunResults {
  return {
    schema: RESULTS_SCHEMA,
    suite_version: '0.1.0',
    run: {
      id: 'run-1',
      started_at: '2026-01-01T00:00:00.000Z',
      finished_at: '2026-01-01T00:00:30.000Z',
      duration_ms: 30_000,
      argv: ['run'],
      profile: 'core',
      runtime: 'process',
      concurrency: 3,
      repeat: Math.max(1, ...cells.map((c) => c.attempt)),
      interrupted: false,
    },
    engine: { kind: 'reference', label: 'reference', version: '0.1.0' },
    workers: {
      ts: describe('ts', 'iii-sdk (npm)', '0.22.1'),
      py: describe('py', 'iii-sdk (PyPI)', '0.25.0'),
    },
    expectations: { file: '(none)', stale_patterns: [] },
    summary: summarize(cells),
    cells,
    ...overrides,
  };
}
