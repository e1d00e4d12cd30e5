import type { Secrets } from '../secrets.ts';
import type { WorkerRuntime } from './runtime.ts';
import { type WorkerCommand, WorkerProcess } from './worker-process.ts';

/** The default runtime: every worker a child process on this machine. */
export const processRuntime: WorkerRuntime = {
  name: 'process',
  worker: (command: WorkerCommand, secrets: Secrets, logFile?: string) =>
    new WorkerProcess(command, secrets, logFile),
};
