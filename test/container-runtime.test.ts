// The container runtime for real: the reference broker and the ts, py and rs
// workers each in a container on the host network, through the CLI a user
// runs. The core matrix must give the same verdicts as the process runtime.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canAuditSockets, socketsOf } from '../engines/iii/socket-audit.ts';
import { builtinWorkerCommand } from '../harness/builtin-workers.ts';
import { docker } from '../harness/runtime/container-docker.ts';
import { ContainerEngine } from '../harness/runtime/container-engine.ts';
import { ContainerRuntime } from '../harness/runtime/container-runtime.ts';
import { Secrets } from '../harness/secrets.ts';
import {
  dockerReady,
  leftovers,
  readResults,
  runCli,
  runIdOf,
  SETUP_TIMEOUT_MS,
  SKIP_CONTAINERS,
} from './helpers/containers.ts';

const reports = mkdtempSync(join(tmpdir(), 'iii-container-runtime-'));

describe.skipIf(SKIP_CONTAINERS)('container runtime', () => {
  beforeAll(dockerReady, SETUP_TIMEOUT_MS);

  it('runs cells across ts, py and rs in containers and records every image', async () => {
    const dir = join(reports, 'few');
    const r = await runCli([
      'run',
      '--runtime',
      'container',
      '--scenario',
      [
        'frames/size-65537',
        'interleave/text-between-binary',
        'interleave/unicode',
        'pipeline/three-languages',
      ].join(','),
      '--report-dir',
      dir,
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const results = readResults(dir);
    expect(results.run.runtime).toBe('container');
    const failing = ['FAIL', 'ERROR', 'TIMEOUT', 'XPASS'];
    expect(results.cells.filter((c) => failing.includes(c.verdict))).toEqual([]);
    expect(results.cells.filter((c) => c.verdict === 'PASS').length).toBeGreaterThan(20);
    const langs = new Set(results.cells.flatMap((c) => [c.writer, ...c.relays, c.reader]));
    expect([...langs]).toEqual(expect.arrayContaining(['py', 'rs', 'ts']));

    const client = await docker();
    const images = results.images ?? {};
    expect(Object.keys(images).sort()).toEqual([
      'engine-reference',
      'worker-py',
      'worker-rs',
      'worker-ts',
    ]);
    for (const { tag, id } of Object.values(images)) {
      expect((await client.container.dockerode.getImage(tag).inspect()).Id).toBe(id);
    }
    expect(await leftovers(runIdOf(r.stderr))).toEqual([]);
  }, 180_000);

  it.skipIf(!canAuditSockets())(
    'listens and connects on 127.0.0.1 only',
    async () => {
      const runtime = new ContainerRuntime(`test-audit-${process.pid}`);
      await runtime.prepare(['engine-reference', 'worker-py'], () => undefined);
      const engine = new ContainerEngine({
        kind: 'reference',
        image: runtime.imageRecords()['engine-reference'].tag,
        runId: runtime.runId,
      });
      const worker = runtime.worker(builtinWorkerCommand('py'), new Secrets());
      try {
        const info = await engine.start();
        expect(info.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
        await worker.start(info.wsUrl, 'audit-py');
        const client = await docker();
        const pidOf = async (role: string) => {
          const [c] = (
            await client.container.dockerode.listContainers({
              filters: { label: [`org.iii-conformance.run=${runtime.runId}`] },
            })
          ).filter((x) => x.Labels['org.iii-conformance.role'] === role);
          return (await client.container.dockerode.getContainer(c.Id).inspect()).State.Pid;
        };
        // Give the worker time to connect, then look at both containers' sockets.
        await new Promise((r) => setTimeout(r, 3000));
        for (const role of ['engine', 'worker-py']) {
          const sockets = socketsOf(await pidOf(role)).filter((s) => s.proto.startsWith('tcp'));
          expect(sockets.length, role).toBeGreaterThan(0);
          for (const s of sockets) {
            expect(s.local, `${role} ${s.state}`).toMatch(/^127\.0\.0\.1:/);
            if (s.state !== 'LISTEN') expect(s.remote, role).toMatch(/^127\.0\.0\.1:/);
          }
        }
      } finally {
        await worker.stop();
        await engine.stop();
      }
      expect(await runtime.dispose()).toEqual([]);
    },
    120_000,
  );

  it('gives the core matrix the same verdicts as the process runtime', async () => {
    const verdicts = async (runtime: string) => {
      const dir = join(reports, `core-${runtime}`);
      const r = await runCli(['run', '--runtime', runtime, '--report-dir', dir]);
      // Whatever the verdicts are, both runtimes must agree on them; a set-up
      // error (2) or an interruption is a failure of this test.
      expect([0, 1, 3], r.stderr.slice(-3000)).toContain(r.code);
      const results = readResults(dir);
      return { dir, map: Object.fromEntries(results.cells.map((c) => [c.id, c.verdict])) };
    };
    const processRun = await verdicts('process');
    const containerRun = await verdicts('container');
    expect(Object.keys(containerRun.map).length).toBeGreaterThan(100);
    expect(containerRun.map).toEqual(processRun.map);

    const compare = await runCli([
      'compare',
      join(processRun.dir, 'results.json'),
      join(containerRun.dir, 'results.json'),
    ]);
    expect(compare.code, compare.stdout).toBe(0);
    expect(compare.stdout).toMatch(/0 regressed/);
  }, 600_000);
});

afterAll(async () => {
  // Nothing of any test run of this file may stay behind.
  if (!SKIP_CONTAINERS) expect(await leftovers(`test-audit-${process.pid}`)).toEqual([]);
});
