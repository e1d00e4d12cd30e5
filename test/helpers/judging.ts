// Shared by the judge and matrix tests: catalogue scenarios by id, digests
// built from an expectation, and cell runs and matrix options in code.
import type { CellRun, StageReport } from '../../harness/cell-runner.ts';
import type { Expected } from '../../harness/expected.ts';
import type { Digest } from '../../harness/schema/types.ts';
import { SCENARIOS } from '../../scenarios/index.ts';
import type { Scenario } from '../../scenarios/types.ts';

export const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function scenarioById(id: string): Scenario {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`no scenario ${id}`);
  return s;
}

/** A digest that is exactly `exp` with a clean close, changed by `over`. */
export function digestOf(
  role: string,
  lang: string,
  exp: Expected,
  over: Partial<Digest> = {},
): Digest {
  return {
    role,
    lang,
    bytes: exp.bytes,
    sha256: exp.sha256,
    texts: exp.texts.map((t) => ({ ...t })),
    texts_sha256: exp.texts_sha256,
    chunks: 1,
    empty_chunks: 0,
    max_chunk: exp.bytes,
    end: 'closed',
    rss_peak_kib: 0,
    ...over,
  };
}

/** What a side that got only the first `n` bytes and no text reports. */
export const cut = (n: number): Partial<Digest> => ({
  bytes: n,
  sha256: '0'.repeat(64),
  texts: [],
  texts_sha256: EMPTY_SHA,
});

export const cellRun = (exp: Expected, stages: StageReport[]): CellRun => ({
  expected: exp,
  stages,
  durationMs: 10,
  channelIds: [],
});

/** expandCells options for one engine, one attempt. */
export const matrixOptions = (langs: string[], extra = {}) => ({
  langs,
  engine: 'reference',
  defaultTimeoutMs: 30_000,
  repeat: 1,
  ...extra,
});
