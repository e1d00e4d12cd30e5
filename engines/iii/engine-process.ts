// One run of the iii binary under supervisor.mjs. The supervisor is our child;
// the engine is its child, in a process group of its own. Both pids are known
// here so stop() can prove nothing is left.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { LogRing } from './log-ring.ts';

const SUPERVISOR = fileURLToPath(new URL('./supervisor.mjs', import.meta.url));

export interface EngineProcessOptions {
  binary: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** SIGTERM to SIGKILL, for the engine inside the supervisor. */
  graceMs: number;
  /** The engine's temp work dir, removed by the supervisor once the engine exits. */
  removeDir?: string;
  logs: LogRing;
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class EngineProcess {
  readonly exited: Promise<EngineExit>;
  /** Resolves with the engine's pid once the supervisor has spawned it. */
  readonly enginePid: Promise<number>;
  private readonly child: ChildProcess;
  private engine?: number;
  private done = false;

  constructor(private readonly options: EngineProcessOptions) {
    const { binary, args, cwd, env, graceMs, removeDir, logs } = options;
    const flags = [
      '--grace-ms',
      String(graceMs),
      ...(removeDir ? ['--remove-dir', removeDir] : []),
    ];
    this.child = spawn(process.execPath, [SUPERVISOR, ...flags, '--', binary, ...args], {
      cwd,
      env,
      // stdin: the pipe whose EOF tells the supervisor we are gone. fd 3: status.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => logs.write(d));
    this.child.stderr?.on('data', (d: Buffer) => logs.write(d));
    // Writes to a supervisor that died must not crash the harness.
    this.child.stdin?.on('error', () => {});

    this.enginePid = new Promise((resolve, reject) => {
      readStatus(this.child.stdio[3] as Readable, (event) => {
        if (event.event === 'spawned' && typeof event.pid === 'number') {
          this.engine = event.pid;
          resolve(event.pid);
        } else if (event.event === 'error') {
          reject(new Error(`supervisor could not start the engine: ${event.message}`));
        }
      });
      this.child.once('exit', () => reject(new Error('supervisor exited before the engine')));
    });
    this.enginePid.catch(() => {});

    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.done = true;
        logs.flush();
        resolve({ code, signal });
      });
    });
  }

  get supervisorPid(): number | undefined {
    return this.child.pid;
  }

  get knownEnginePid(): number | undefined {
    return this.engine;
  }

  get running(): boolean {
    return !this.done;
  }

  /** Idempotent. SIGTERM via the supervisor; SIGKILL to both if that overruns. */
  async stop(): Promise<EngineExit> {
    if (this.done) return this.exited;

    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    const deadline = this.options.graceMs + 3_000;
    if (await settlesWithin(this.exited, deadline)) return this.exited;

    // The supervisor itself is stuck: take the engine group down directly.
    if (this.engine) killGroup(this.engine, 'SIGKILL');
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** Whether anything in the engine's process group is still alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function readStatus(stream: Readable, onEvent: (e: Record<string, unknown>) => void): void {
  let buffered = '';
  stream.on('data', (d: Buffer) => {
    const lines = (buffered + d.toString()).split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        onEvent(JSON.parse(line));
      } catch {
        // Not ours to interpret; the supervisor only writes JSON here.
      }
    }
  });
  stream.on('error', () => {});
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(() => true as const);
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
