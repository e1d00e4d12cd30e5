// One container of the run: created and started with testcontainers on the
// host network, labelled with the run id, its stdin held by the harness.
//
// Why stdin: engines and workers exit when stdin reaches end-of-file. The
// container is created with OpenStdin + StdinOnce and the harness attaches
// before it starts, so stdin closes exactly when the harness lets go of it,
// including when the harness is killed. With AutoRemove the daemon then
// deletes the container. That is the cleanup testcontainers' reaper would
// do, which cannot run here (its image cannot be pulled).
import type { Duplex, Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { GenericContainer, PullPolicy, type StartedTestContainer } from 'testcontainers';
import { docker, removeContainers, runLabels } from './container-docker.ts';
import { ContainerError } from './container-errors.ts';

export interface ContainerSpec {
  image: string;
  /** e.g. "engine" or "worker-ts": a label, and the name in errors */
  role: string;
  runId: string;
  /** arguments for the image's entrypoint */
  command?: string[];
  /** replaces the image's entrypoint */
  entrypoint?: string[];
  /**
   * Join another container's PID namespace ("container:<id>"): when that
   * container's first process ends, the kernel kills every process in the
   * namespace, this container's too. For programs that ignore stdin.
   */
  pidMode?: string;
  /** false: the program ignores stdin, so stop() goes straight to SIGTERM */
  exitsOnStdinEof?: boolean;
  env?: Record<string, string>;
  /** small files written into the container before it starts */
  files?: { content: string; target: string }[];
  /** every line the container prints, stdout and stderr together */
  onLine: (line: string) => void;
}

export interface ContainerExit {
  code: number | null;
  /** "exited with code 1", "killed by SIGKILL (exit 137)", "was removed before …" */
  reason: string;
}

type State = 'IDLE' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'EXITED';

const STDIN_GRACE_MS = 3000;
const STOP_TIMEOUT_MS = 2000;
const REMOVE_WAIT_MS = 5000;

/** GenericContainer with an attached, held stdin and removal by the daemon on exit. */
class AttachedContainer extends GenericContainer {
  constructor(
    image: string,
    private readonly created: (id: string) => Promise<void>,
  ) {
    super(image);
    Object.assign(this.createOpts, { OpenStdin: true, StdinOnce: true, AttachStdin: true });
    this.hostConfig.AutoRemove = true;
  }

  withPidMode(mode: string): this {
    this.hostConfig.PidMode = mode;
    return this;
  }

  protected override async containerCreated(id: string): Promise<void> {
    await this.created(id);
  }
}

export class ContainerProcess {
  private state: State = 'IDLE';
  private started?: StartedTestContainer;
  private stdin?: Duplex;
  private events?: Readable;
  private exitInfo?: ContainerExit;
  private onExit: ((exit: ContainerExit) => void)[] = [];
  private removed: Promise<void> = Promise.resolve();
  /** the last lines printed, for errors about a container that died at start */
  private readonly lastLines: string[] = [];
  id = '';

  constructor(private readonly spec: ContainerSpec) {}

  get running(): boolean {
    return this.state === 'STARTING' || this.state === 'RUNNING';
  }

  get exit(): ContainerExit | undefined {
    return this.exitInfo;
  }

  /** Resolves when the container's main process has ended. */
  exited(): Promise<ContainerExit> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    return new Promise((resolve) => this.onExit.push(resolve));
  }

  async start(): Promise<void> {
    const { spec } = this;
    this.state = 'STARTING';
    const container = new AttachedContainer(spec.image, (id) => this.attach(id))
      .withNetworkMode('host')
      .withLabels(runLabels(spec.runId, spec.role))
      .withEnvironment(spec.env ?? {})
      .withPullPolicy(PullPolicy.neverPull())
      .withAutoCleanup(false)
      .withAutoRemove(false);
    if (spec.command) container.withCommand(spec.command);
    if (spec.entrypoint) container.withEntrypoint(spec.entrypoint);
    if (spec.pidMode) container.withPidMode(spec.pidMode);
    if (spec.files?.length) container.withCopyContentToContainer(spec.files);
    try {
      this.started = await container.start();
      this.state = this.exitInfo ? 'EXITED' : 'RUNNING';
    } catch (err) {
      await this.stop();
      const exit = this.exitInfo ? `; ${this.exitInfo.reason}` : '';
      const code = this.exitInfo ? 'CONTAINER_EXITED' : 'CONTAINER_START_FAILED';
      throw new ContainerError(
        code,
        `${spec.role} container (${spec.image}) failed to start: ${(err as Error).message}${exit}`,
        this.lastLines,
      );
    }
  }

  /** Lets go of stdin, then SIGTERM, then SIGKILL; resolves once the container is gone. */
  async stop(): Promise<void> {
    if (this.state === 'IDLE') return;
    if (!this.id) {
      // Never created (e.g. the image is missing): nothing to stop.
      this.state = 'EXITED';
      return;
    }
    if (this.state !== 'EXITED') this.state = 'STOPPING';
    this.stdin?.end();
    const grace = this.spec.exitsOnStdinEof === false ? 0 : STDIN_GRACE_MS;
    const inTime = await within(this.exited(), grace);
    if (!inTime && this.started) {
      await this.started.stop({ timeout: STOP_TIMEOUT_MS, remove: false }).catch(ignoreGone);
    }
    const gone = await within(this.removed, REMOVE_WAIT_MS);
    if (!gone && this.id) await removeContainers([this.id]);
    this.release();
    this.state = 'EXITED';
  }

  /** Closes the attach and event streams: open, they would keep the harness alive. */
  private release(): void {
    this.stdin?.destroy();
    this.events?.destroy();
  }

  /** Runs between create and start: hold stdin, follow output and the die/destroy events. */
  private async attach(id: string): Promise<void> {
    this.id = id;
    const client = await docker();
    const container = client.container.getById(id);
    let onRemoved!: () => void;
    this.removed = new Promise((resolve) => {
      onRemoved = resolve;
    });

    this.events = await client.container.events(container, ['die', 'destroy']);
    this.events.on('error', () => undefined);
    this.events.on('data', (chunk: Buffer) => {
      for (const raw of chunk.toString().split('\n').filter(Boolean)) {
        const event = parseEvent(raw);
        if (event?.status === 'die') this.markExited(event.exitCode);
        if (event?.status === 'destroy') {
          this.markExited(null);
          onRemoved();
          // A container that ended on its own (a crash, an exit op) is never stopped.
          this.release();
        }
      }
    });

    const stream = (await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as Duplex;
    this.stdin = stream;
    const output = new PassThrough();
    client.container.dockerode.modem.demuxStream(stream, output, output);
    let partial = '';
    output.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.line(line.replace(/\r$/, ''));
    });
    stream.on('end', () => {
      if (partial) this.line(partial);
      partial = '';
    });
    stream.on('error', () => undefined);
  }

  private line(text: string): void {
    this.lastLines.push(text);
    if (this.lastLines.length > 25) this.lastLines.shift();
    this.spec.onLine(text);
  }

  /** The last lines the container printed (at most 25). */
  tail(): string[] {
    return [...this.lastLines];
  }

  private markExited(code: number | null): void {
    if (this.exitInfo) return;
    let reason = 'was removed before it reported an exit code';
    if (code !== null) {
      const signal = code > 128 ? SIGNALS[code - 128] : undefined;
      reason = signal ? `killed by ${signal} (exit ${code})` : `exited with code ${code}`;
    }
    this.exitInfo = { code, reason };
    if (this.state !== 'STOPPING') this.state = 'EXITED';
    for (const resolve of this.onExit.splice(0)) resolve(this.exitInfo);
  }
}

const SIGNALS: Record<number, string> = { 2: 'SIGINT', 9: 'SIGKILL', 15: 'SIGTERM', 6: 'SIGABRT' };

function parseEvent(raw: string): { status: string; exitCode: number | null } | undefined {
  try {
    const event = JSON.parse(raw) as {
      status?: string;
      Action?: string;
      Actor?: { Attributes?: Record<string, string> };
    };
    const code = event.Actor?.Attributes?.exitCode;
    return { status: event.status ?? event.Action ?? '', exitCode: code ? Number(code) : null };
  } catch {
    return undefined;
  }
}

function ignoreGone(err: { statusCode?: number }): void {
  if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
}

/** Whether `promise` settles within `ms`; the timer never outlives the answer. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
