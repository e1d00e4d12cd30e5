// The iii adapter's process handling, proven with stand-in engines (a node
// one-liner, a tiny sh script), so it runs on machines without an iii binary.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IiiEngine } from '../engines/iii/adapter.ts';
import { EngineProcess, groupAlive } from '../engines/iii/engine-process.ts';
import { IiiEngineError } from '../engines/iii/errors.ts';
import { LogRing } from '../engines/iii/log-ring.ts';
import { alive, firstLine, waitFor } from './helpers/processes.ts';

const ROOT = new URL('..', import.meta.url);
const FOREVER = 'setInterval(() => {}, 1000)';

// Answers --version like the real binary; otherwise misbehaves as FAKE_MODE says.
const FAKE_III = `#!/bin/sh
if [ "$1" = "--version" ]; then echo "0.0.0-fake"; exit 0; fi
port=$(sed -n 's/^ *port: *//p' "$2")
case "$FAKE_MODE" in
  port-taken) echo "[ERROR] address 127.0.0.1:$port is already in use"; exec sleep 30 ;;
  crash) echo "fake engine: config rejected" >&2; exit 3 ;;
  *) exec sleep 30 ;;
esac
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iii-engine-process-test-'));
  await writeFile(join(dir, 'fake-iii'), FAKE_III);
  await chmod(join(dir, 'fake-iii'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('engine process under the supervisor', () => {
  it('reports the engine pid, stops it with SIGTERM and removes its work dir', async () => {
    const work = await mkdtemp(join(dir, 'work-'));
    const proc = startFake(work, FOREVER, 2000);
    const pid = await proc.enginePid;
    expect(groupAlive(pid)).toBe(true);

    const exit = await proc.stop();
    expect(exit.code).toBe(128 + 15);
    expect(groupAlive(pid)).toBe(false);
    expect(existsSync(work)).toBe(false);
    expect(await proc.stop()).toEqual(exit);
  });

  it('escalates to SIGKILL when the engine ignores SIGTERM', async () => {
    const logs = new LogRing();
    const work = await mkdtemp(join(dir, 'work-'));
    const proc = startFake(work, `process.on('SIGTERM', () => {}); ${FOREVER}`, 300, logs);
    const pid = await proc.enginePid;
    await new Promise((r) => setTimeout(r, 200));

    const started = Date.now();
    const exit = await proc.stop();
    expect(exit.code).toBe(128 + 9);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(groupAlive(pid)).toBe(false);
    expect(logs.tail(5).join('\n')).toMatch(/still running after 300 ms: SIGKILL/);
  });

  it('stops the engine when its parent is SIGKILLed', async () => {
    const work = await mkdtemp(join(dir, 'orphan-'));
    const script = join(dir, 'parent.mts');
    const moduleUrl = (p: string) => JSON.stringify(new URL(p, ROOT).href);
    await writeFile(
      script,
      [
        `import { EngineProcess } from ${moduleUrl('engines/iii/engine-process.ts')};`,
        `import { LogRing } from ${moduleUrl('engines/iii/log-ring.ts')};`,
        'const proc = new EngineProcess({',
        `  binary: process.execPath, args: ['-e', ${JSON.stringify(FOREVER)}],`,
        `  cwd: ${JSON.stringify(work)}, env: {}, graceMs: 2000,`,
        `  removeDir: ${JSON.stringify(work)}, logs: new LogRing(),`,
        '});',
        'const pid = await proc.enginePid;',
        'console.log(JSON.stringify({ pid, supervisor: proc.supervisorPid }));',
        `${FOREVER};`,
      ].join('\n'),
    );
    // One process: tsx as a loader, not its CLI, which would fork a child.
    const parent = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: new URL('.', ROOT),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const { pid, supervisor } = JSON.parse(await firstLine(parent.stdout, 20_000));
      expect(groupAlive(pid)).toBe(true);

      parent.kill('SIGKILL');
      expect(await waitFor(() => !groupAlive(pid) && !alive(supervisor), 8_000)).toBe(true);
      expect(await waitFor(() => !existsSync(work), 2_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('iii adapter start failures', () => {
  const fakeEngine = (mode: string, startTimeoutMs = 5_000) =>
    new IiiEngine({ binary: join(dir, 'fake-iii'), env: { FAKE_MODE: mode }, startTimeoutMs });

  it('retries a taken port, then fails with III_PORT_IN_USE and cleans up', async () => {
    const engine = fakeEngine('port-taken');
    const err = await failure(engine.start());
    expect(err.code).toBe('III_PORT_IN_USE');
    expect(err.message).toMatch(/already in use/);
    expect(engine.tail(50).filter((l) => l.includes('was taken'))).toHaveLength(2);
    expect(engine.pids()).toHaveLength(6);
    for (const pid of engine.pids()) expect(alive(pid)).toBe(false);
    expect(engine.workDir).toBeUndefined();
  });

  it('fails with III_EXITED_EARLY and the engine log when it dies', async () => {
    const err = await failure(fakeEngine('crash').start());
    expect(err.code).toBe('III_EXITED_EARLY');
    expect(err.message).toMatch(/exited with code 3 before ws:\/\/127\.0\.0\.1:\d+ was ready/);
    expect(err.logTail.join('\n')).toContain('fake engine: config rejected');
  });

  it('times out with III_START_TIMEOUT, once for concurrent starts', async () => {
    const engine = fakeEngine('silent', 600);
    const [err, same] = await Promise.all([failure(engine.start()), failure(engine.start())]);
    expect(same).toBe(err);
    expect(engine.pids()).toHaveLength(2);
    expect(err.code).toBe('III_START_TIMEOUT');
    expect(err.message).toMatch(/not ready within 600 ms; waited for .*listening on address/);
    for (const pid of engine.pids()) expect(alive(pid)).toBe(false);
  });
});

/** A node one-liner as the engine, in `work`, which the supervisor removes afterwards. */
function startFake(work: string, code: string, graceMs: number, logs = new LogRing()) {
  const args = ['-e', code];
  return new EngineProcess({
    binary: process.execPath,
    args,
    cwd: work,
    env: {},
    graceMs,
    removeDir: work,
    logs,
  });
}

async function failure(promise: Promise<unknown>): Promise<IiiEngineError> {
  const err = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IiiEngineError);
  return err as IiiEngineError;
}
