// How workers are started: as child processes (`process`, the default) or in
// containers (`container`). The worker pool only sees this interface.
import type { LogBuffer } from '../log-buffer.ts';
import type { Secrets } from '../secrets.ts';
import type { WorkerCommand } from './worker-process.ts';

export interface WorkerHandle {
  readonly command: WorkerCommand;
  readonly logs: LogBuffer;
  readonly alive: boolean;
  /** why the worker is gone, e.g. "exited with code 1" */
  readonly exitReason: string;
  start(engineUrl: string, workerName: string): void | Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerRuntime {
  readonly name: 'process' | 'container';
  worker(command: WorkerCommand, secrets: Secrets, logFile?: string): WorkerHandle;
}
