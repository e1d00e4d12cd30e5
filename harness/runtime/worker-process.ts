// One worker as a child process (the `process` runtime). The worker's stdin is
// a pipe the harness holds: when the harness dies, even by SIGKILL, the
// worker reads EOF and exits, so it cannot outlive the run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LogBuffer } from '../log-buffer.ts';
import type { Secrets } from '../secrets.ts';

export interface WorkerCommand {
  lang: string;
  /**
   * The tag the worker registers under (conformance::<tag>::…) when it is not
   * `lang`: the same worker started a second time behind the fault proxy.
   */
  tag?: string;
  file: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
}

export class WorkerProcess {
  readonly logs: LogBuffer;
  private child?: ResultPromise;
  private exited = false;
  private exitNote = '';
  // The SDKs keep per-worker files under $HOME (the Python SDK a marker in
  // ~/.iii/run that a killed worker leaves behind); each worker gets a home of
  // its own that the harness removes, so a run leaves nothing in the user's.
  private readonly home = mkdtempSync(join(tmpdir(), 'iii-conformance-home-'));

  constructor(
    readonly command: WorkerCommand,
    secrets: Secrets,
    logFile?: string,
  ) {
    this.logs = new LogBuffer(secrets, 4000, logFile);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return Boolean(this.child) && !this.exited;
  }

  /** Why the process is gone, e.g. "exited with code 1" or "killed by SIGKILL". */
  get exitReason(): string {
    return this.exitNote;
  }

  start(engineUrl: string, workerName: string): void {
    const { file, args, cwd, env, lang } = this.command;
    this.exited = false;
    this.exitNote = '';
    this.logs.push(`[harness] starting ${lang} worker: ${file} ${args.join(' ')}`);
    const child = execa(file, args, {
      cwd,
      env: {
        ...env,
        HOME: this.home,
        III_URL: engineUrl,
        III_WORKER_NAME: workerName,
        III_CONFORMANCE_LANG: this.command.tag ?? lang,
        OTEL_ENABLED: 'false',
      },
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      reject: false,
      buffer: false,
      forceKillAfterDelay: 2000,
    });
    child.stdout?.on('data', (d: Buffer) => this.logs.write(d));
    child.stderr?.on('data', (d: Buffer) => this.logs.write(d));
    void child.then((result) => {
      this.exited = true;
      this.exitNote = result.signal
        ? `killed by ${result.signal}`
        : `exited with code ${result.exitCode ?? 'unknown'}`;
      this.logs.push(`[harness] ${lang} worker ${this.exitNote}`);
    });
    this.child = child;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && !this.exited) {
      child.stdin?.end();
      child.kill('SIGTERM');
      await child;
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}
