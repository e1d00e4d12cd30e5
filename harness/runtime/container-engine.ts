// Engines in a container, on the host network: the reference broker (image
// built from engines/reference/Dockerfile) or a real iii engine image the
// user supplies (--iii-image). Both listen on 127.0.0.1 only, on a port that
// restart() keeps.
import { stripVTControlCharacters } from 'node:util';
import type { Engine, EngineInfo } from '../../engines/engine.ts';
import { LOOPBACK, renderConfig } from '../../engines/iii/config.ts';
import { findFreePort } from '../../engines/iii/free-port.ts';
import { probeWorkerSocket } from '../../engines/iii/ready-probe.ts';
import { LogRing } from '../../engines/reference/log-ring.ts';
import { ContainerError } from './container-errors.ts';
import { ContainerProcess } from './container-process.ts';

export type ContainerEngineKind = 'reference' | 'reference:strict' | 'iii';

export interface ContainerEngineOptions {
  kind: ContainerEngineKind;
  image: string;
  runId: string;
  /**
   * iii only: any local image with `cat`. The iii engine ignores stdin, so it
   * runs in the PID namespace of a `cat` that holds the harness's stdin: when
   * the harness dies, cat ends and the kernel takes the engine with it.
   */
  watchdogImage?: string;
  /** Deadline for the engine to accept workers (default 30 000 ms). */
  startTimeoutMs?: number;
}

const III_CONFIG = '/tmp/iii-conformance/config.yaml';
const PORT_ATTEMPTS = 3;

export class ContainerEngine implements Engine {
  private readonly log = new LogRing(20_000);
  private container?: ContainerProcess;
  private watchdog?: ContainerProcess;
  private port = 0;
  private version = 'unknown';

  constructor(private readonly options: ContainerEngineOptions) {}

  get label(): string {
    return this.options.kind;
  }

  async start(): Promise<EngineInfo> {
    if (this.container?.running) {
      throw new Error(`Internal error: ${this.label} engine container already running`);
    }
    if (this.options.kind === 'iii') return this.startIii();
    return this.startReference();
  }

  async restart(): Promise<EngineInfo> {
    await this.stop();
    return this.start();
  }

  async stop(): Promise<void> {
    await this.container?.stop();
    await this.watchdog?.stop();
  }

  /** No host processes: the engine is a container (its id is in the log). */
  pids(): number[] {
    return [];
  }

  tail(lines: number): string[] {
    return this.log.tail(lines);
  }

  /** The container's id while it runs, e.g. for a socket audit through its pid. */
  get containerId(): string | undefined {
    return this.container?.running ? this.container.id : undefined;
  }

  private async startReference(): Promise<EngineInfo> {
    const profile = this.options.kind === 'reference:strict' ? 'strict' : 'compat';
    let listening: ((url: string) => void) | undefined;
    const url = new Promise<string>((resolve) => {
      listening = resolve;
    });
    const command = ['--port', String(this.port), '--profile', profile];
    const container = this.launch(command, [], (line) => {
      const parsed = parseListening(line);
      if (parsed) {
        this.version = parsed.version;
        listening?.(parsed.wsUrl);
      }
    });
    await container.start();
    const wsUrl = await this.ready(container, url);
    this.port = Number(new URL(wsUrl).port);
    return { wsUrl, label: this.label, version: this.version };
  }

  private async startIii(): Promise<EngineInfo> {
    if (this.version === 'unknown') this.version = await this.iiiVersion();
    for (let attempt = 1; ; attempt++) {
      const port = this.port || (await findFreePort(LOOPBACK));
      let onReady: ((url: string) => void) | undefined;
      let onBindFailed: ((why: string) => void) | undefined;
      const url = new Promise<string>((resolve, reject) => {
        onReady = resolve;
        onBindFailed = (why) => reject(new Error(why));
      });
      const listeningLine = new RegExp(`listening on address:\\s*${LOOPBACK}:${port}\\b`, 'i');
      const config = renderConfig({ port, registrationGraceMs: 1000 });
      const command = ['--config', III_CONFIG, '--no-update-check'];
      const files = [{ content: config, target: III_CONFIG }];
      const watchdog = await this.startWatchdog();
      const watch = (line: string) => {
        if (listeningLine.test(line)) onReady?.(`ws://${LOOPBACK}:${port}`);
        else if (/already in use|failed to bind/i.test(line)) onBindFailed?.(line);
      };
      const container = this.launch(command, files, watch, `container:${watchdog.id}`);
      await container.start().catch(async (err) => {
        await watchdog.stop();
        throw err;
      });
      try {
        const wsUrl = await this.ready(container, url);
        await probeWorkerSocket(wsUrl, 5000);
        this.port = port;
        return { wsUrl, label: this.label, version: this.version };
      } catch (err) {
        await this.stop();
        if (attempt >= PORT_ATTEMPTS || this.port) throw err;
        this.note(`port ${port} failed (${(err as Error).message}); retrying`);
      }
    }
  }

  private async startWatchdog(): Promise<ContainerProcess> {
    const image = this.options.watchdogImage;
    if (!image) throw new Error('Internal error: an iii engine container needs a watchdog image');
    this.watchdog = new ContainerProcess({
      image,
      role: 'engine-watchdog',
      runId: this.options.runId,
      entrypoint: ['cat'],
      command: [],
      onLine: () => undefined,
    });
    await this.watchdog.start();
    return this.watchdog;
  }

  /** The engine container with the run's labels, its output into the log ring. */
  private launch(
    command: string[],
    files: { content: string; target: string }[],
    watch: (line: string) => void,
    pidMode?: string,
  ): ContainerProcess {
    const iii = this.options.kind === 'iii';
    const container = new ContainerProcess({
      image: this.options.image,
      role: 'engine',
      runId: this.options.runId,
      command,
      // The same quiet, local-only settings the iii process adapter uses.
      env: iii
        ? { HOME: '/tmp', III_TELEMETRY_ENABLED: 'false', IIIWORKER_DISABLE_BUILTIN_DAEMONS: '1' }
        : {},
      files,
      pidMode,
      exitsOnStdinEof: !iii,
      onLine: (line) => {
        this.log.push(line);
        watch(line);
      },
    });
    this.container = container;
    this.note(`starting ${this.label} engine container of ${this.options.image}`);
    return container;
  }

  /** The engine's URL once it says it listens, or why it never will. */
  private async ready(container: ContainerProcess, url: Promise<string>): Promise<string> {
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const fail = (why: string) =>
      new ContainerError(
        'ENGINE_NOT_READY',
        `${this.label} engine container (${this.options.image}) ${why}`,
        this.log.tail(25),
      );
    try {
      return await Promise.race([
        url,
        container.exited().then((exit) => {
          throw fail(`${exit.reason} before it listened`);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(fail(`did not listen within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      await container.stop();
      throw err instanceof ContainerError ? err : fail((err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  /** `iii --version` in a throwaway container of the same image. */
  private async iiiVersion(): Promise<string> {
    const lines: string[] = [];
    const probe = new ContainerProcess({
      image: this.options.image,
      role: 'engine-version',
      runId: this.options.runId,
      command: ['--version'],
      env: { III_TELEMETRY_ENABLED: 'false' },
      onLine: (line) => lines.push(line),
    });
    await probe.start();
    const exit = await probe.exited();
    await probe.stop();
    const text = stripVTControlCharacters(lines.join('\n')).trim();
    if (exit.code !== 0 || !text) {
      throw new ContainerError(
        'ENGINE_NOT_READY',
        `\`--version\` in ${this.options.image} ${exit.reason}; is its entrypoint the iii binary?`,
        lines.slice(-10),
      );
    }
    return text.split('\n')[0].replace(/^iii\s+/i, '');
  }

  private note(message: string): void {
    this.log.push(`[container-engine] ${message}`);
  }
}

function parseListening(line: string): { wsUrl: string; version: string } | undefined {
  try {
    const value = JSON.parse(line);
    if (value?.event === 'listening' && typeof value.wsUrl === 'string') return value;
  } catch {
    // an ordinary log line
  }
  return undefined;
}
