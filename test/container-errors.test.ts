// The container runtime's failures read like instructions: no daemon, an
// image that does not build (with the tail of its build log), a container
// that exits as it starts (with its last words), an engine that never listens.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinWorkerCommand } from '../harness/builtin-workers.ts';
import { ContainerEngine } from '../harness/runtime/container-engine.ts';
import { ContainerError } from '../harness/runtime/container-errors.ts';
import { ensureImage } from '../harness/runtime/container-images.ts';
import { ContainerProcess } from '../harness/runtime/container-process.ts';
import { ContainerRuntime } from '../harness/runtime/container-runtime.ts';
import { Secrets } from '../harness/secrets.ts';
import {
  dockerReady,
  leftovers,
  runCli,
  SETUP_TIMEOUT_MS,
  SKIP_CONTAINERS,
} from './helpers/containers.ts';

const RUN_ID = `test-errors-${process.pid}`;
const BASE = 'debian:bookworm-slim';

describe('no Docker daemon', () => {
  it('is a set-up error (exit 2) that says where it looked and what to do', async () => {
    const socket = join(tmpdir(), `iii-no-docker-${process.pid}.sock`);
    const r = await runCli(['run', '--runtime', 'container', '--langs', 'ts'], {
      DOCKER_HOST: `unix://${socket}`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no Docker daemon answered (unix://${socket}: the socket`);
    expect(r.stderr).toContain('scripts/docker-setup.sh');
  });
});

describe.skipIf(SKIP_CONTAINERS)('container failures', () => {
  let dir: string;
  beforeAll(async () => {
    await dockerReady();
    dir = mkdtempSync(join(tmpdir(), 'iii-container-errors-'));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(await leftovers(RUN_ID)).toEqual([]);
  });

  it('an image that fails to build names the Dockerfile and shows the build log tail', async () => {
    mkdirSync(join(dir, 'broken'));
    writeFileSync(
      join(dir, 'broken', 'Dockerfile'),
      `FROM ${BASE}\nRUN echo "about to fail ${process.pid}" && exit 3\n`,
    );
    const err = await ensureImage('test-broken', () => undefined, {
      root: join(dir, 'broken'),
      dockerfile: 'Dockerfile',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContainerError);
    const { reason, message } = err as ContainerError;
    expect(reason).toBe('IMAGE_BUILD_FAILED');
    expect(message).toMatch(/image test-broken \(Dockerfile\) failed to build: .*code: 3/);
    expect(message).toContain(`about to fail ${process.pid}`);
    expect(message).toContain('--- log tail ---');
  }, 120_000);

  it('a container that exits at start reports its exit code and last lines', async () => {
    const lines: string[] = [];
    const container = new ContainerProcess({
      image: BASE,
      role: 'test-exit',
      runId: RUN_ID,
      command: ['sh', '-c', 'echo "no luck" >&2; exit 7'],
      onLine: (line) => lines.push(line),
    });
    // Starting may already fail (the container is gone before testcontainers
    // looks at it) or succeed just before it dies; either way the exit is known.
    const started = await container.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (started) expect((started as ContainerError).message).toMatch(/exited with code 7/);
    expect(await container.exited()).toEqual({ code: 7, reason: 'exited with code 7' });
    await container.stop();
    expect(lines).toContain('no luck');
  }, 60_000);

  it('a worker whose container dies at start is not alive and says why', async () => {
    const runtime = new ContainerRuntime(RUN_ID);
    await runtime.prepare(['worker-ts'], () => undefined);
    const command = builtinWorkerCommand('ts');
    // A preload that does not exist: node exits before the worker's code runs.
    command.env = { NODE_OPTIONS: '--require /nonexistent-preload.cjs' };
    const worker = runtime.worker(command, new Secrets());
    await worker.start('ws://127.0.0.1:9', 'test-dies')?.catch(() => undefined);
    const deadline = Date.now() + 15_000;
    while (worker.alive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(worker.alive).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(worker.exitReason).toMatch(/^container [0-9a-f]{12} exited with code 1$/);
    expect(worker.logs.tail(20).join('\n')).toContain('nonexistent-preload.cjs');
    await worker.stop();
  }, 60_000);

  it('an engine container that exits before it listens is a clear set-up error', async () => {
    // The ts worker's image is no broker: without III_URL it exits at once.
    const runtime = new ContainerRuntime(RUN_ID);
    await runtime.prepare(['worker-ts'], () => undefined);
    const image = runtime.imageRecords()['worker-ts'].tag;
    const engine = new ContainerEngine({ kind: 'reference', image, runId: RUN_ID });
    const err = await engine.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContainerError);
    const { reason, message } = err as ContainerError;
    expect(reason).toMatch(/ENGINE_NOT_READY|CONTAINER_EXITED/);
    expect(message).toContain(`reference engine container (${image})`);
    expect(message).toMatch(/exited with code 2/);
    expect(message).toContain('III_URL is not set');
    await engine.stop();
  }, 60_000);

  it('an --iii-image that is not on this machine is never pulled', async () => {
    const r = await runCli([
      'run',
      '--runtime',
      'container',
      '--engine',
      'iii',
      '--iii-image',
      'iii-conformance-test/absent:nope',
      '--langs',
      'ts',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('engine image iii-conformance-test/absent:nope is not on this');
  }, 120_000);
});
