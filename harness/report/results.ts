// The results.json model. `schema` is bumped whenever a field changes meaning;
// `compare` and the HTML report read only this file.
import type { FrameEvidence, MemoryMetrics } from '../evidence.ts';
import type { ExpectedText } from '../expected.ts';
import type { Description, Digest } from '../schema/types.ts';
import type { Verdict } from '../verdict.ts';

export const RESULTS_SCHEMA = 'iii-conformance/results/v1';

export interface DigestSummary {
  bytes: number;
  sha256: string;
  texts: ExpectedText[] | Digest['texts'];
  texts_sha256: string;
}

export interface HopResult {
  role: string;
  lang: string;
  input: Digest | null;
  output: Digest | null;
}

export interface BranchResult {
  /** 2 for `writer_2` and its reader, and so on */
  channel: number;
  reader_lang: string;
  writer: Digest | null;
  reader: Digest | null;
}

export interface CellResult {
  id: string;
  scenario: string;
  family: string;
  level: string;
  writer: string;
  reader: string;
  relays: string[];
  /** fan-out cells: the readers after `reader`, each on its own channel */
  fanout?: string[];
  engine: string;
  attempt: number;
  verdict: Verdict;
  reason?: string;
  /** the stage the reason is about: writer, relay-1 input, reader, ... */
  stage?: string;
  expected: DigestSummary;
  /** what the final reader reported */
  observed: Digest | null;
  /** what the writer reported it handed to its SDK */
  writer_digest: Digest | null;
  hops: HopResult[];
  /** fan-out cells: each further channel's writer and reader digests, in order */
  branches?: BranchResult[];
  duration_ms: number;
  /** expected payload bytes over the cell's wall time, in megabits per second */
  throughput_mbps: number;
  /** log tails of every involved process, for cells that did not pass */
  logs?: Record<string, string[]>;
  /** an expectations entry that matched this cell */
  expectation?: { pattern: string; reason: string; applies_to: string };
  /** the verdict before an expectations entry turned it into XFAIL */
  listed_verdict?: Verdict;
  /** backpressure cells: peak memory of the engine, its channel queues and the writer */
  memory?: MemoryMetrics;
  /** frame logs (sizes, types, order, close codes) of cells that did not pass */
  frames?: FrameEvidence[];
  /** cells listed as flaky: how many of their runs passed */
  flaky?: { passes: number; runs: number; needed: number };
  rerun: string;
}

export interface RunResults {
  schema: typeof RESULTS_SCHEMA;
  suite_version: string;
  run: {
    id: string;
    started_at: string;
    finished_at: string;
    duration_ms: number;
    argv: string[];
    profile: string;
    runtime: string;
    concurrency: number;
    repeat: number;
    /** true when Ctrl-C stopped the run; cells then lists only the finished ones */
    interrupted: boolean;
  };
  engine: { kind: string; label: string; version: string };
  /**
   * Container runtime only: the image of the engine and of each worker, by
   * name (engine-reference, worker-ts, ...), with the daemon's image id.
   * Absent in process runs and in files written before it existed.
   */
  images?: Record<string, { tag: string; id: string }>;
  workers: Record<string, Description>;
  expectations: { file: string; stale_patterns: string[] };
  summary: Record<Verdict | 'total', number>;
  cells: CellResult[];
}

export const VERDICTS: Verdict[] = [
  'PASS',
  'INFO',
  'FAIL',
  'NON-STRICT',
  'XFAIL',
  'XPASS',
  'SKIP',
  'ERROR',
  'TIMEOUT',
];

export function summarize(cells: readonly CellResult[]): RunResults['summary'] {
  const summary = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as RunResults['summary'];
  summary.total = cells.length;
  for (const cell of cells) summary[cell.verdict] += 1;
  return summary;
}

/** Verdicts that make the run fail (exit status 1). */
export const FAILING: ReadonlySet<Verdict> = new Set(['FAIL', 'ERROR', 'TIMEOUT']);
