// The declarative shape of a scenario. A scenario says what a writer does,
// how the reader reads and what counts as correct; the harness turns it into
// cells, one per writer/reader (or pipeline) combination.
import type { RawOp } from '../harness/raw-peer/index.ts';
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

/** Which profiles run a scenario; full always runs everything. */
export type Profiles = readonly Tier[];

export type Topology =
  | { kind: 'pair' }
  /** writer -> relay x stages -> reader, every stage from the run's languages */
  | { kind: 'pipeline'; relays: number }
  /** one writer copies its plan onto a channel per reader: every language of the run, raw too */
  | { kind: 'fanout' };

export type RefPlacement = 'field' | 'array' | 'nested' | 'top';

/** Ways a cell deliberately breaks the happy path. */
export type Fault =
  /** one side gets a ref whose access key is wrong: it must be refused */
  | { kind: 'wrong-key'; side: 'reader' | 'writer' }
  /** a second reader connects with the same ref while the first reads */
  | { kind: 'second-reader'; delayMs: number }
  /** after the stream finished, a new reader uses the same ref again */
  | { kind: 'reuse-after-finish' }
  /** the engine is stopped and started again on its port `afterMs` into the cell */
  | { kind: 'engine-restart'; afterMs: number }
  /** the channel gets a TTL of `ttlMs` so the engine's stale-channel sweep removes it */
  | { kind: 'channel-ttl'; ttlMs: number }
  /**
   * One side reaches the engine through the harness's loopback proxy, which
   * accepts its channel connection but never answers the upgrade. Each SDK
   * worker's side is paired with the raw peer only (the other side is not
   * what the cell is about), and the raw peer is never the stalled side: its
   * handshake is the harness's, not an SDK's.
   */
  | { kind: 'stalled-upgrade'; side: 'reader' | 'writer' }
  /** the writer's channel socket goes through the proxy, which resets it after `afterBytes` */
  | { kind: 'proxy-reset'; afterBytes: number };

/** Faults that put one side of a cell behind the fault proxy. */
export type ProxyFault = Extract<Fault, { kind: 'stalled-upgrade' | 'proxy-reset' }>;

export function proxyFaultOf(scenario: Scenario): ProxyFault | undefined {
  const fault = scenario.fault;
  return fault?.kind === 'stalled-upgrade' || fault?.kind === 'proxy-reset' ? fault : undefined;
}

/** The side a proxy fault puts behind the proxy. */
export const proxiedSide = (fault: ProxyFault): 'reader' | 'writer' =>
  fault.kind === 'stalled-upgrade' ? fault.side : 'writer';

/**
 * What counts as correct when the stream cannot complete normally.
 * - deliver: the reader gets exactly the plan and a clean end (default)
 * - writer-dies: the writer process exits mid-plan; the reader must see an
 *   error, never a clean end that hides the truncation
 * - reader-stops: the reader closes early; the writer must see an error
 *   within the deadline instead of reporting success or hanging
 */
export type Outcome = 'deliver' | 'writer-dies' | 'reader-stops';

export interface Scenario {
  id: string;
  family: Family;
  level: Level;
  /** One sentence: what the scenario checks and why it matters. */
  summary: string;
  tier: Tier;
  /** profiles that run it besides full; default: those at or above its tier */
  profiles?: Profiles;
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
  /**
   * Run with no other cell in flight: 64 MiB transfers starve each other and
   * the engine on a small machine, which would turn load into TIMEOUTs.
   */
  alone?: boolean;
  outcome?: Outcome;
  /**
   * The engine's resident memory may grow by at most this much while the
   * reader waits out its start delay (measured where the engine has a host
   * pid): an engine that buffers instead of holding the writer back fails.
   */
  engineMemoryBoundMiB?: number;
  /**
   * Who reads: every reader (default), or only the raw peer when the cell is
   * about the writer and the engine, not about how each SDK reads.
   */
  readers?: 'every' | 'raw';
  /**
   * Frames no SDK sends: the writer is the raw-frame peer running these ops,
   * paired with every reader of the run and the raw reader.
   */
  rawOps?: RawOp[];
}

export type CapabilityNeed = (caps: Capabilities) => string | null;
