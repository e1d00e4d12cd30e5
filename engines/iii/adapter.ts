// The `iii` engine: a real iii binary, run on loopback with a config this
// adapter writes into a fresh temp dir, under a supervisor that stops it if
// the harness dies. See README.md in this folder for what the engine does on
// the network and which of its settings can be changed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine, EngineInfo } from '../engine.ts';
import { checkBinary, readVersion } from './binary.ts';
import { type IiiLogLevel, LOOPBACK, renderConfig } from './config.ts';
import { EngineProcess, groupAlive, killGroup } from './engine-process.ts';
import { IiiEngineError } from './errors.ts';
import { findFreePort } from './free-port.ts';
import { LogRing } from './log-ring.ts';
import { waitUntilReady } from './readiness.ts';

export interface IiiEngineOptions {
  /** Path to the iii binary (the CLI passes --iii-bin or III_BIN). */
  binary: string | undefined;
  /** Fixed worker port; default: a free ephemeral loopback port. */
  port?: number;
  /** Deadline for the engine to accept workers, default 20 000 ms. */
  startTimeoutMs?: number;
  /** SIGTERM to SIGKILL on stop, default 5 000 ms. */
  stopGraceMs?: number;
  /** `registration_namespace_grace_ms`, default 1 000 (engine default 5 000). */
  registrationGraceMs?: number;
  /** `handshake_timeout_ms` of the worker listener; default: the engine's (10 000). */
  handshakeTimeoutMs?: number;
  logLevel?: IiiLogLevel;
  /** Lines kept for tail(), default 2 000. */
  logCapacity?: number;
  /** Sees every engine log line, e.g. to write it into the report folder. */
  onLogLine?: (line: string) => void;
  /** Extra environment for the engine, e.g. RUST_BACKTRACE. */
  env?: Record<string, string>;
  /** Where the per-run temp dir is made, default os.tmpdir(). */
  tempRoot?: string;
}

type EngineState = 'IDLE' | 'STARTING' | 'RUNNING' | 'STOPPING';

interface Run {
  proc: EngineProcess;
  dir: string;
  port: number;
}

const PORT_ATTEMPTS = 3;
const SAME_PORT_ATTEMPTS = 5;

export class IiiEngine implements Engine {
  private readonly logs: LogRing;
  private readonly started = new Set<number>();
  private state: EngineState = 'IDLE';
  private run?: Run;
  private info?: EngineInfo;
  private version?: string;
  private stopping?: Promise<void>;
  private starting?: Promise<EngineInfo>;
  /** The port of the last successful start, which restart() reuses. */
  private lastPort?: number;

  constructor(private readonly options: IiiEngineOptions) {
    this.logs = new LogRing(options.logCapacity ?? 20_000, options.onLogLine);
  }

  /** Starts the engine, or returns the running one; concurrent calls share one start. */
  async start(): Promise<EngineInfo> {
    if (this.state === 'RUNNING' && this.info) return this.info;
    return this.startShared(this.options.port);
  }

  async restart(): Promise<EngineInfo> {
    await this.starting?.catch(() => {});
    const port = this.lastPort ?? this.options.port;
    await this.stop();
    return this.startShared(port);
  }

  stop(): Promise<void> {
    this.stopping ??= this.teardown().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  pids(): number[] {
    return [...this.started];
  }

  tail(lines: number): string[] {
    return this.logs.tail(lines);
  }

  /** The running engine's temp dir (config, engine data); undefined when stopped. */
  get workDir(): string | undefined {
    return this.run?.dir;
  }

  /** The engine's own version string, from `iii --version`. */
  async engineVersion(): Promise<string> {
    this.version ??= await readVersion(checkBinary(this.options.binary));
    return this.version;
  }

  private startShared(port: number | undefined): Promise<EngineInfo> {
    this.starting ??= (async () => {
      await this.stopping;
      return this.startOn(port);
    })().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startOn(fixedPort: number | undefined): Promise<EngineInfo> {
    const binary = checkBinary(this.options.binary);
    const version = await this.engineVersion();
    this.state = 'STARTING';

    const attempts = fixedPort === undefined ? PORT_ATTEMPTS : SAME_PORT_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      const port = fixedPort ?? (await findFreePort(LOOPBACK));
      try {
        await this.launch(binary, port);
      } catch (err) {
        const retry = err instanceof IiiEngineError && err.code === 'III_PORT_IN_USE';
        if (!retry || attempt >= attempts) {
          this.state = 'IDLE';
          throw err;
        }
        this.note(`port ${port} was taken (attempt ${attempt}/${attempts}); retrying`);
        if (fixedPort !== undefined) await sleep(300);
        continue;
      }

      this.state = 'RUNNING';
      this.lastPort = port;
      this.info = { wsUrl: `ws://${LOOPBACK}:${port}`, label: 'iii', version };
      this.note(`engine ${version} ready on ${this.info.wsUrl}`);
      return this.info;
    }
  }

  private async launch(binary: string, port: number): Promise<void> {
    const dir = await mkdtemp(join(this.options.tempRoot ?? tmpdir(), 'iii-engine-'));
    const configPath = join(dir, 'config.yaml');
    await writeFile(
      configPath,
      renderConfig({
        port,
        registrationGraceMs: this.options.registrationGraceMs ?? 1000,
        handshakeTimeoutMs: this.options.handshakeTimeoutMs,
        logLevel: this.options.logLevel,
      }),
    );

    this.note(`starting ${binary} on ${LOOPBACK}:${port} in ${dir}`);
    const proc = new EngineProcess({
      binary,
      args: ['--config', configPath, '--no-update-check'],
      cwd: dir,
      env: engineEnv(dir, this.options.env),
      graceMs: this.options.stopGraceMs ?? 5000,
      removeDir: dir,
      logs: this.logs,
    });
    this.run = { proc, dir, port };
    if (proc.supervisorPid) this.started.add(proc.supervisorPid);
    proc.enginePid.then((pid) => this.started.add(pid)).catch(() => {});

    const timeoutMs = this.options.startTimeoutMs ?? 20_000;
    try {
      await waitUntilReady({ proc, port, timeoutMs, logs: this.logs });
    } catch (err) {
      await this.teardown();
      throw err;
    }
  }

  private async teardown(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.state = 'STOPPING';
    this.run = undefined;
    this.info = undefined;

    const exit = await run.proc.stop();
    // The supervisor waits for the engine; only if it was itself killed can
    // the engine's group linger, so make sure before calling it stopped.
    const pid = run.proc.knownEnginePid;
    if (pid && groupAlive(pid)) {
      this.note(`engine group ${pid} outlived its supervisor: SIGKILL`);
      killGroup(pid, 'SIGKILL');
      await waitFor(() => !groupAlive(pid), 2000);
    }
    await rm(run.dir, { recursive: true, force: true });
    this.note(`engine stopped (${exit.signal ?? `code ${exit.code}`}); removed ${run.dir}`);
    this.state = 'IDLE';
  }

  private note(message: string): void {
    this.logs.push(`[iii-adapter] ${message}`);
  }
}

/**
 * A clean environment, not the harness's: the engine reads OTEL_*, III_* and
 * POSTHOG_* variables that could point it at a remote collector. HOME is the
 * temp dir so nothing is written into the user's home.
 */
function engineEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'LANG', 'LC_ALL', 'TZ']) {
    const value = process.env[key];
    if (value) env[key] = value;
  }
  return {
    ...env,
    ...extra,
    HOME: dir,
    III_TELEMETRY_ENABLED: 'false',
    IIIWORKER_DISABLE_BUILTIN_DAEMONS: '1',
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}
