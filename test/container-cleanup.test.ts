// Nothing is left behind: after a normal end, failing cells, a crashed
// worker, Ctrl-C and even SIGKILL of the harness, no container with the run's
// label remains; `clean` removes what an earlier run left. testcontainers'
// reaper is off (its image cannot be pulled here), so this is the harness's
// own cleanup at work.
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { docker, LABELS } from '../harness/runtime/container-docker.ts';
import {
  dockerReady,
  interruptedRun,
  leftovers,
  readResults,
  runCli,
  runIdOf,
  SETUP_TIMEOUT_MS,
  SKIP_CONTAINERS,
} from './helpers/containers.ts';

const reports = mkdtempSync(join(tmpdir(), 'iii-container-cleanup-'));
const RUN = ['run', '--runtime', 'container'];

describe.skipIf(SKIP_CONTAINERS)('container cleanup', () => {
  beforeAll(dockerReady, SETUP_TIMEOUT_MS);

  it('removes a crashed worker and everything else after failing cells', async () => {
    const dir = join(reports, 'crash');
    // The writer's process exits mid-stream on purpose; on the compat broker
    // the reader sees a clean end, so these cells FAIL, as with processes.
    const r = await runCli([
      ...RUN,
      '--langs',
      'ts,py',
      '--scenario',
      'lifecycle/writer-process-exits',
      '--no-expectations',
      '--report-dir',
      dir,
    ]);
    expect(r.code, r.stderr).toBe(1);
    const verdicts = readResults(dir).cells.map((c) => c.verdict);
    expect(verdicts.sort()).toEqual(['FAIL', 'FAIL', 'SKIP', 'SKIP']);
    expect(await leftovers(runIdOf(r.stderr))).toEqual([]);
  }, 120_000);

  it('removes every container on Ctrl-C and exits 130', async () => {
    const { runId, code, out } = await interruptedRun('SIGINT', join(reports, 'sigint'), RUN);
    expect(code, out.slice(-2000)).toBe(130);
    expect(await leftovers(runId)).toEqual([]);
    expect(readResults(join(reports, 'sigint')).run.interrupted).toBe(true);
  }, 180_000);

  it('leaves nothing even when the harness is killed with SIGKILL', async () => {
    const { runId, signal } = await interruptedRun('SIGKILL', join(reports, 'sigkill'), RUN);
    expect(signal).toBe('SIGKILL');
    // No code of the harness runs after SIGKILL: the containers see their
    // stdin close, exit, and the daemon removes them (AutoRemove).
    expect(await leftovers(runId, 20_000)).toEqual([]);
  }, 180_000);

  it('clean removes leftovers of runs that are over and keeps live ones', async () => {
    const client = await docker();
    const make = async (owner: string) => {
      const container = await client.container.dockerode.createContainer({
        Image: 'debian:bookworm-slim',
        Cmd: ['sleep', '600'],
        Labels: {
          [LABELS.run]: `test-clean-${process.pid}`,
          [LABELS.role]: 'test',
          [LABELS.owner]: owner,
        },
        HostConfig: { NetworkMode: 'none' },
      });
      return container.id;
    };
    // pid 2^22+1 is above Linux's pid_max: that owner cannot be alive.
    const dead = await make(`${hostname()}:4194305`);
    const live = await make(`${hostname()}:${process.pid}`);
    try {
      const r = await runCli(['clean']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`removed ${dead.slice(0, 12)}`);
      expect(r.stderr).toContain(`kept ${live.slice(0, 12)}`);
      const ids = (await leftovers(`test-clean-${process.pid}`)).map((l) => l.split(' ')[0]);
      expect(ids).toEqual([live.slice(0, 12)]);

      const all = await runCli(['clean', '--all']);
      expect(all.code, all.stderr).toBe(0);
      expect(await leftovers(`test-clean-${process.pid}`)).toEqual([]);
    } finally {
      for (const id of [dead, live]) {
        await client.container.dockerode
          .getContainer(id)
          .remove({ force: true })
          .catch(() => {});
      }
    }
  }, 60_000);
});
