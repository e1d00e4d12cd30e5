// The broker as the harness runs it: a child process behind the Engine
// adapter, with its listening line, restart on the same port, and exits.

import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosticsUrl, ReferenceEngine } from '../engines/reference/adapter.ts';
import { openWorker, waitFor } from './helpers/reference-broker.ts';

const engines: ReferenceEngine[] = [];

afterAll(async () => {
  await Promise.all(engines.map((e) => e.stop()));
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('reference broker process', () => {
  it('starts, greets a worker, restarts on the same port and stops idempotently', async () => {
    const seen: string[] = [];
    const engine = new ReferenceEngine({ profile: 'strict', onLogLine: (l) => seen.push(l) });
    engines.push(engine);
    const [info, same] = await Promise.all([engine.start(), engine.start()]);
    expect(same).toEqual(info);
    expect(await engine.start()).toEqual(info);
    expect(info.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(info.label).toBe('reference:strict');
    const broker = await (await fetch(`${diagnosticsUrl(info.wsUrl)}broker`)).json();
    expect(broker).toMatchObject({ profile: 'strict', version: info.version });

    const w = await openWorker(info.wsUrl);
    const greeting = await w.next((m) => m.type === 'workerregistered', 'greeting');
    expect(greeting.worker_id).toMatch(/^[0-9a-f-]{36}$/);
    w.ws.close();

    const again = await engine.restart();
    expect(again.wsUrl).toBe(info.wsUrl);
    expect(engine.pids()).toHaveLength(2);

    await engine.stop();
    await engine.stop();
    for (const pid of engine.pids()) expect(alive(pid)).toBe(false);
    expect(engine.tail(50).join('\n')).toContain('listening on');
    expect(seen.some((l) => l.includes('shutting down: SIGTERM'))).toBe(true);
  });

  it('prints one JSON line on stdout and exits when stdin closes', async () => {
    const child = execa(
      'node_modules/.bin/node',
      ['--import', 'tsx', 'engines/reference/main.ts', '--port', '0'],
      { stdin: 'pipe', buffer: true, reject: false },
    );
    const firstLine = new Promise<string>((resolve) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    });
    const line = JSON.parse((await firstLine).trim());
    expect(line).toMatchObject({ event: 'listening', profile: 'compat' });
    expect(Object.keys(line).sort()).toEqual(['event', 'profile', 'version', 'wsUrl']);

    child.stdin.end();
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('stdin closed');
  });

  it('refuses a non-loopback host and reports the log tail when start fails', async () => {
    const engine = new ReferenceEngine({ startTimeoutMs: 10_000, env: {} });
    engines.push(engine);
    // Force a bad host through the CLI to exercise the start-failure path.
    (engine as unknown as { cliArgs: () => string[] }).cliArgs = () => ['--host', '0.0.0.0'];
    await expect(engine.start()).rejects.toThrow(/exited before listening[\s\S]*loopback-only/);
    await waitFor(() => engine.pids().every((pid) => !alive(pid)), 'the failed child to exit');
  });
});
