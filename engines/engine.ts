// The one interface every engine adapter implements. The harness never
// reaches past it: scenarios, not engines, decide what is correct.

export type EngineKind = 'reference' | 'iii';

export interface EngineInfo {
  /** Worker WebSocket URL on loopback, e.g. ws://127.0.0.1:41234 */
  wsUrl: string;
  /** Human label used in cell ids, e.g. "reference" or "reference:strict" or "iii". */
  label: string;
  /** Engine version as the engine itself reports it. */
  version: string;
}

export interface EngineLogs {
  /** The last `lines` lines of the engine's combined stdout/stderr. */
  tail(lines: number): string[];
}

export interface Engine extends EngineLogs {
  start(): Promise<EngineInfo>;
  /** Stops and starts again on the same port; in-flight channels are lost. */
  restart(): Promise<EngineInfo>;
  /** Idempotent; never throws for an engine that already exited. */
  stop(): Promise<void>;
  /** Process ids the adapter started, so the harness can prove none outlive a run. */
  pids(): number[];
}
