// Engine adapter for the reference broker: runs main.ts as a child process
// (Node 24 + tsx), learns its URL from the one JSON line on stdout, and
// keeps the combined log for verdict reasons.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { Engine, EngineInfo } from '../engine.ts';
import { LogRing } from './log-ring.ts';
import type { ProfileName } from './policy.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const MAIN = join(HERE, 'main.ts');

export interface ReferenceEngineOptions {
  profile?: ProfileName;
  /** Fixed port; 0 (default) lets the broker pick one on first start. */
  port?: number;
  channelTtlMs?: number;
  sweepIntervalMs?: number;
  verbose?: boolean;
  /** How long to wait for the listening line (default 20 000 ms). */
  startTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL on stop (default 3000 ms). */
  stopGraceMs?: number;
  /** Log lines kept for tail() (default 2000). */
  logLines?: number;
  /** Sees every broker log line, e.g. to write it into the report folder. */
  onLogLine?: (line: string) => void;
  /** Node binary; defaults to the repo's Node 24, then this process's. */
  nodePath?: string;
  env?: Record<string, string>;
}

interface Listening {
  event: 'listening';
  wsUrl: string;
  version: string;
  profile: ProfileName;
}

export class ReferenceEngine implements Engine {
  private readonly log: LogRing;
  private readonly started: number[] = [];
  private child: ResultPromise | undefined;
  /** execa's exitCode is undefined while running, so track the end ourselves. */
  private running = false;
  private port: number;
  private stopping: Promise<void> | undefined;
  private starting: Promise<EngineInfo> | undefined;
  private info: EngineInfo | undefined;

  constructor(private readonly options: ReferenceEngineOptions = {}) {
    this.log = new LogRing(options.logLines ?? 20_000);
    this.port = options.port ?? 0;
  }

  get label(): string {
    return this.options.profile === 'strict' ? 'reference:strict' : 'reference';
  }

  /** Starts the broker, or returns the running one; concurrent calls share one start. */
  start(): Promise<EngineInfo> {
    if (this.running && this.info && !this.starting) return Promise.resolve(this.info);
    this.starting ??= this.spawn().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async spawn(): Promise<EngineInfo> {
    this.stopping = undefined;
    const args = [
      '--import',
      pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
      MAIN,
      ...this.cliArgs(),
    ];
    const child = execa(this.nodePath(), args, {
      cwd: ROOT,
      // stdin stays open: the broker exits when it reaches EOF, so it cannot
      // outlive an adapter whose process was killed.
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      env: { ...this.options.env },
    });
    this.child = child;
    this.running = true;
    child.then(() => {
      if (this.child !== child) return;
      this.running = false;
      this.info = undefined;
    });
    if (child.pid !== undefined) this.started.push(child.pid);
    createInterface({ input: child.stderr }).on('line', (line) => this.record(line));

    const listening = await this.awaitListening(child, child.stdout);
    this.port = Number(new URL(listening.wsUrl).port);
    this.info = { wsUrl: listening.wsUrl, label: this.label, version: listening.version };
    return this.info;
  }

  /** Stops and starts again on the port of the last successful start. */
  async restart(): Promise<EngineInfo> {
    await this.starting?.catch(() => {});
    await this.stop();
    return this.start();
  }

  stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return Promise.resolve();
    this.stopping ??= (async () => {
      const grace = this.options.stopGraceMs ?? 3000;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), grace);
      await child;
      clearTimeout(timer);
    })();
    return this.stopping;
  }

  pids(): number[] {
    return [...this.started];
  }

  tail(lines: number): string[] {
    return this.log.tail(lines);
  }

  private record(line: string): void {
    this.log.push(line);
    this.options.onLogLine?.(line);
  }

  private cliArgs(): string[] {
    const o = this.options;
    const args = ['--host', '127.0.0.1', '--port', String(this.port)];
    args.push('--profile', o.profile ?? 'compat');
    if (o.channelTtlMs !== undefined) args.push('--channel-ttl-ms', String(o.channelTtlMs));
    if (o.sweepIntervalMs !== undefined) {
      args.push('--sweep-interval-ms', String(o.sweepIntervalMs));
    }
    if (o.verbose) args.push('--verbose');
    return args;
  }

  private nodePath(): string {
    if (this.options.nodePath) return this.options.nodePath;
    const repoNode = join(ROOT, 'node_modules', '.bin', 'node');
    return existsSync(repoNode) ? repoNode : process.execPath;
  }

  private awaitListening(child: ResultPromise, stdout: Readable): Promise<Listening> {
    const timeoutMs = this.options.startTimeoutMs ?? 20_000;
    return new Promise<Listening>((resolve, reject) => {
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        const tail = this.log.tail(20).join('\n  ');
        reject(new Error(`${this.label} engine ${why}; log tail:\n  ${tail || '(empty)'}`));
      };
      const timer = setTimeout(
        () => fail(`printed no listening line within ${timeoutMs} ms`),
        timeoutMs,
      );
      createInterface({ input: stdout }).on('line', (line) => {
        this.record(line);
        const parsed = parseListening(line);
        if (!parsed || settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(parsed);
      });
      child.then((result) => {
        const how = result.signal ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
        fail(`exited before listening (${how})`);
      });
    });
  }
}

function parseListening(line: string): Listening | undefined {
  try {
    const value = JSON.parse(line);
    return value?.event === 'listening' && typeof value.wsUrl === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Where the broker serves its JSON diagnostics (see README.md). */
export function diagnosticsUrl(wsUrl: string): string {
  return `${wsUrl.replace(/^ws:/, 'http:').replace(/\/$/, '')}/_conformance/`;
}
