// Starts the run's workers, waits until each answers `describe`, and brings a
// crashed worker back before its next cell so one crash costs one cell.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Orchestrator } from './orchestrator.ts';
import type { WorkerHandle, WorkerRuntime } from './runtime/runtime.ts';
import type { WorkerCommand } from './runtime/worker-process.ts';
import { parseDescription } from './schema/messages.ts';
import type { Description } from './schema/types.ts';
import type { Secrets } from './secrets.ts';
import { SetupError } from './setup.ts';

const READY_TIMEOUT_MS = 60_000;

export class WorkerPool {
  private readonly workers = new Map<string, WorkerHandle>();
  readonly descriptions = new Map<string, Description>();
  /** set by stop(): nothing is waited for or started again after it */
  private stopping = false;

  constructor(
    private readonly orch: Orchestrator,
    private readonly secrets: Secrets,
    private readonly engineUrl: () => string,
    private readonly runId: string,
    private readonly runtime: WorkerRuntime,
    private readonly logDir?: string,
  ) {}

  /** Workers are known by their tag: their language, or the tag they register under. */
  async start(commands: readonly WorkerCommand[]): Promise<void> {
    const tags = commands.map((c) => c.tag ?? c.lang);
    commands.forEach((command, i) => {
      const logFile = this.logDir ? join(this.logDir, `worker-${tags[i]}.log`) : undefined;
      this.workers.set(tags[i], this.runtime.worker(command, this.secrets, logFile));
    });
    await Promise.all(tags.map((t) => this.get(t).start(this.engineUrl(), this.workerName(t))));
    await Promise.all(tags.map((t) => this.waitReady(t)));
  }

  has(tag: string): boolean {
    return this.workers.has(tag);
  }

  get(lang: string): WorkerHandle {
    const worker = this.workers.get(lang);
    if (!worker) throw new Error(`Internal error: no worker for ${lang}`);
    return worker;
  }

  all(): WorkerHandle[] {
    return [...this.workers.values()];
  }

  /** Restarts a worker that died (an exit op, a crash) before it is used again. */
  async revive(lang: string): Promise<string | null> {
    const worker = this.get(lang);
    if (worker.alive) return null;
    const why = worker.exitReason;
    await worker.start(this.engineUrl(), this.workerName(lang));
    await this.waitReady(lang);
    return why;
  }

  /**
   * After an engine restart every worker must find the engine again by
   * itself (the SDKs reconnect). Those that do not within `withinMs` are
   * restarted so the run can go on; their languages are returned.
   */
  async afterEngineRestart(withinMs: number): Promise<string[]> {
    const lost: string[] = [];
    await Promise.all(
      [...this.workers.keys()].map(async (lang) => {
        if (await this.answers(lang, withinMs)) return;
        // After Ctrl-C the engine is gone on purpose: nobody is lost, nothing restarts.
        if (this.stopping) return;
        lost.push(lang);
        const worker = this.get(lang);
        await worker.stop();
        if (this.stopping) return;
        await worker.start(this.engineUrl(), this.workerName(lang));
        await this.waitReady(lang);
      }),
    );
    return lost.sort();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.all().map((w) => w.stop()));
  }

  private workerName(lang: string): string {
    return `conformance-${lang}-${this.runId}`;
  }

  private async answers(lang: string, withinMs: number): Promise<boolean> {
    const until = Date.now() + withinMs;
    while (Date.now() < until && !this.stopping) {
      if (!this.get(lang).alive) return false;
      const ok = await this.orch
        .call(`conformance::${lang}::describe`, {}, 2000)
        .then(() => true)
        .catch(() => false);
      if (ok) return true;
      await sleep(200);
    }
    return false;
  }

  private async waitReady(lang: string): Promise<void> {
    const worker = this.get(lang);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = '';
    while (Date.now() < deadline) {
      if (this.stopping)
        throw new SetupError(`the run stopped before the ${lang} worker was ready`);
      if (!worker.alive) {
        throw new SetupError(
          `${lang} worker ${worker.exitReason} before it registered its functions\n` +
            worker.logs.tail(25).join('\n'),
        );
      }
      try {
        const raw = await this.orch.call(`conformance::${lang}::describe`, {}, 5000);
        this.descriptions.set(lang, parseDescription(raw));
        return;
      } catch (err) {
        last = (err as Error).message;
        await sleep(200);
      }
    }
    throw new SetupError(
      `${lang} worker did not answer conformance::${lang}::describe within ` +
        `${READY_TIMEOUT_MS} ms (last error: ${last})\n${worker.logs.tail(25).join('\n')}`,
    );
  }
}
