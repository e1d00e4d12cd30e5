// The declarative shape of a scenario. A scenario says what a writer does,
// how the reader reads and what counts as correct; the harness turns it into
// cells, one per writer/reader (or pipeline) combination.
import type { Capabilities, Plan, ReadSpec } from '../harness/schema/types.ts';

/** MUST fails the run, SHOULD is reported as NON-STRICT, INFO is only recorded. */
export type Level = 'MUST' | 'SHOULD' | 'INFO';

export type Family =
  | 'frames'
  | 'interleave'
  | 'backpressure'
  | 'pipeline'
  | 'lifecycle'
  | 'ownership'
  | 'limits';

/** core: the main job's matrix. quick: pull requests. full: everything, slow ones too. */
export type Tier = 'core' | 'quick' | 'full';

export type Topology =
  | { kind: 'pair' }
  /** writer -> relay x stages -> reader, every stage from the run's languages */
  | { kind: 'pipeline'; relays: number };

export type RefPlacement = 'field' | 'array' | 'nested' | 'top';

/** Ways a cell deliberately breaks the happy path. */
export type Fault =
  /** the reader gets a ref whose access key is wrong */
  { kind: 'wrong-key'; side: 'reader' | 'writer' };

export interface Scenario {
  id: string;
  family: Family;
  level: Level;
  /** One sentence: what the scenario checks and why it matters. */
  summary: string;
  tier: Tier;
  topology: Topology;
  plan: Plan;
  read: ReadSpec;
  /** buffer_size for engine::channels::create; undefined lets the engine choose */
  bufferSize?: number;
  /** who creates the channel: the orchestrator (default) or the writer itself */
  ownership?: 'orchestrator' | 'producer';
  refPlacement?: RefPlacement;
  fault?: Fault;
  /** Check the text/binary order as well as the content (at_byte of each text). */
  checkTextOrder?: boolean;
  /** Cell deadline override in ms (large transfers, slow readers). */
  timeoutMs?: number;
}

export type CapabilityNeed = (caps: Capabilities) => string | null;
