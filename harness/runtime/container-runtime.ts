// The `container` runtime: every worker in its own container, built from the
// Dockerfile beside its code, on the host network. The worker pool sees the
// same WorkerHandle as with child processes; a crashed worker's container is
// gone (AutoRemove) and revive() starts a fresh one.
import { LogBuffer } from '../log-buffer.ts';
import type { Secrets } from '../secrets.ts';
import { LABELS, listRunContainers, removeContainers } from './container-docker.ts';
import { ContainerError } from './container-errors.ts';
import {
  type BuiltImage,
  ensureImages,
  type ImageName_,
  type ImageRecord,
} from './container-images.ts';
import { ContainerProcess } from './container-process.ts';
import type { WorkerHandle, WorkerRuntime } from './runtime.ts';
import type { WorkerCommand } from './worker-process.ts';

type Progress = (line: string) => void;

export class ContainerWorker implements WorkerHandle {
  readonly logs: LogBuffer;
  private container?: ContainerProcess;
  private note = '';

  constructor(
    readonly command: WorkerCommand,
    private readonly image: string,
    private readonly runId: string,
    secrets: Secrets,
    logFile?: string,
  ) {
    this.logs = new LogBuffer(secrets, 4000, logFile);
  }

  get alive(): boolean {
    return this.container?.running ?? false;
  }

  get exitReason(): string {
    return this.note;
  }

  async start(engineUrl: string, workerName: string): Promise<void> {
    const { lang, env } = this.command;
    this.note = '';
    this.logs.push(`[harness] starting ${lang} worker in a container of ${this.image}`);
    const container = new ContainerProcess({
      image: this.image,
      role: `worker-${lang}`,
      runId: this.runId,
      // The image's entrypoint is the worker; the host's command does not apply.
      env: {
        ...env,
        III_URL: engineUrl,
        III_WORKER_NAME: workerName,
        III_CONFORMANCE_LANG: this.command.tag ?? lang,
        OTEL_ENABLED: 'false',
        // The SDKs keep per-worker files under $HOME; the image's user has
        // no home, and the container's /tmp goes with the container.
        HOME: '/tmp',
      },
      onLine: (line) => this.logs.push(line),
    });
    this.container = container;
    void container.exited().then((exit) => {
      this.note = `container ${container.id.slice(0, 12)} ${exit.reason}`;
      this.logs.push(`[harness] ${lang} worker ${this.note}`);
    });
    try {
      await container.start();
    } catch (err) {
      // A worker that dies at once is a dead worker, as with a child process:
      // the pool reports it with its last lines (or revives it for a cell).
      if (!(err instanceof ContainerError) || err.reason !== 'CONTAINER_EXITED') throw err;
      this.logs.push(`[harness] ${err.message.split('\n')[0]}`);
      return;
    }
    this.logs.push(`[harness] ${lang} worker container ${container.id.slice(0, 12)} started`);
  }

  async stop(): Promise<void> {
    await this.container?.stop();
  }
}

/** Images per worker language; build them with prepare() before the pool starts. */
export class ContainerRuntime implements WorkerRuntime {
  readonly name = 'container' as const;
  private readonly images = new Map<string, BuiltImage>();

  constructor(readonly runId: string) {}

  /** Builds or finds the images of these workers (and the engine, when given). */
  async prepare(names: readonly ImageName_[], progress: Progress): Promise<void> {
    for (const [name, image] of await ensureImages(names, progress)) this.images.set(name, image);
  }

  /** Records an image the runtime did not build, e.g. a user's iii engine image. */
  addImage(name: string, image: ImageRecord): void {
    this.images.set(name, { ...image, name, built: false, seconds: 0 });
  }

  /** What results.json records: every image of the run with its id. */
  imageRecords(): Record<string, ImageRecord> {
    return Object.fromEntries(
      [...this.images].map(([name, { tag, id }]) => [name, { tag, id }] as const),
    );
  }

  worker(command: WorkerCommand, secrets: Secrets, logFile?: string): WorkerHandle {
    const image = this.images.get(`worker-${command.lang}`);
    if (!image) {
      throw new ContainerError(
        'IMAGE_MISSING',
        `Internal error: no image prepared for the ${command.lang} worker`,
      );
    }
    return new ContainerWorker(command, image.tag, this.runId, secrets, logFile);
  }

  /** Removes whatever of this run is still there; the normal stop leaves nothing. */
  async dispose(): Promise<string[]> {
    const left = await listRunContainers(this.runId);
    await removeContainers(left.map((c) => c.Id));
    return left.map((c) => `${c.Id.slice(0, 12)} ${c.Labels[LABELS.role] ?? ''} (${c.State})`);
  }
}

export function workerImageName(lang: string): ImageName_ {
  return `worker-${lang}` as ImageName_;
}
