// The iii adapter against a real engine binary, with real npm SDK workers.
//
// The binary is III_BIN, or the local build at DEFAULT_BIN. Only when III_BIN
// is unset and DEFAULT_BIN is absent (a CI machine has no engine) are these
// tests skipped, with the reason printed; a III_BIN that points nowhere fails.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { type IIIClient, registerWorker } from 'iii-sdk';
import type { ChannelReader } from 'iii-sdk/channel';
import { createChannel } from 'iii-sdk/helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IiiEngine } from '../engines/iii/adapter.ts';
import { canAuditSockets, nonLoopback, socketsOf } from '../engines/iii/socket-audit.ts';
import { alive, firstLine, waitFor } from './helpers/processes.ts';

const DEFAULT_BIN = '/work/iii-src/target/release/iii';
const BIN = process.env.III_BIN || DEFAULT_BIN;
const SKIP = !process.env.III_BIN && !existsSync(DEFAULT_BIN);
if (SKIP) {
  console.warn(`iii-engine tests skipped: III_BIN is unset and ${DEFAULT_BIN} does not exist`);
}

const SINK = 'iii-engine-test::sink';
const PING = 'iii-engine-test::ping';
const ROOT = new URL('..', import.meta.url);

interface SinkDigest {
  length: number;
  sha256: string;
  texts: string[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.skipIf(SKIP)('iii engine adapter with a real engine', () => {
  const engine = new IiiEngine({ binary: BIN });
  const clients: IIIClient[] = [];
  let caller: IIIClient;
  let callee: IIIClient;
  let wsUrl: string;

  beforeAll(async () => {
    wsUrl = (await engine.start()).wsUrl;
    const options = (name: string) => ({
      workerName: name,
      otel: { enabled: false },
      enableMetricsReporting: false,
    });
    caller = registerWorker(wsUrl, options('iii-engine-test-caller'));
    callee = registerWorker(wsUrl, options('iii-engine-test-callee'));
    clients.push(caller, callee);

    callee.registerFunction(PING, async () => ({ pong: true }));
    callee.registerFunction(SINK, async (data: { reader: ChannelReader }) => {
      const texts: string[] = [];
      data.reader.onMessage((text) => texts.push(text));
      const bytes = await data.reader.readAll();
      return { length: bytes.length, sha256: sha256(bytes), texts } satisfies SinkDigest;
    });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.shutdown()));
    await engine.stop();
  });

  it('listens on an ephemeral loopback port and reports its version', async () => {
    const [info, again] = await Promise.all([engine.start(), engine.start()]);
    expect(again).toEqual(info);
    expect(info.wsUrl).toBe(wsUrl);
    expect(wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(wsUrl).not.toContain(':49134');
    const { version, label } = info;
    expect(label).toBe('iii');
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(engine.pids()).toHaveLength(2);
  });

  it('routes a call from one SDK worker to a function on the other', async () => {
    await expect(callUntilUp(caller, 15_000)).resolves.toEqual({ pong: true });
  });

  it('streams 2 MiB and a text through a channel byte-exact', async () => {
    const digest = await transfer(caller, 2 * 1024 * 1024);
    expect(digest.length).toBe(2 * 1024 * 1024);
  });

  it.skipIf(!canAuditSockets())('talks to nobody but loopback', () => {
    const enginePid = engine.pids()[1];
    const sockets = socketsOf(enginePid);
    const listening = sockets.filter((s) => s.state === 'LISTEN');
    expect(listening.map((s) => s.local)).toEqual([new URL(wsUrl).host]);
    expect(nonLoopback(sockets)).toEqual([]);
  });

  it('restarts on the same port and the workers come back', async () => {
    const oldPids = engine.pids();
    const info = await engine.restart();
    expect(info.wsUrl).toBe(wsUrl);
    for (const pid of oldPids) expect(alive(pid)).toBe(false);

    await expect(callUntilUp(caller, 30_000)).resolves.toEqual({ pong: true });
    await transfer(caller, 2 * 1024 * 1024 + 1);
  });

  it('stops idempotently and leaves no process or temp dir', async () => {
    const dir = engine.workDir;
    expect(dir && existsSync(dir)).toBeTruthy();
    // Workers first: once the engine is gone its port is free for anyone,
    // and a reconnecting SDK must not knock on someone else's socket.
    await Promise.allSettled(clients.splice(0).map((c) => c.shutdown()));

    await Promise.all([engine.stop(), engine.stop()]);
    await engine.stop();
    for (const pid of engine.pids()) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(existsSync(dir as string)).toBe(false);
    expect(engine.tail(5).join('\n')).toContain('engine stopped');
  });

  it('takes the engine down when the harness is SIGKILLed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iii-engine-orphan-test-'));
    const script = join(dir, 'parent.mts');
    const adapterUrl = new URL('engines/iii/adapter.ts', ROOT).href;
    await writeFile(
      script,
      [
        `import { IiiEngine } from ${JSON.stringify(adapterUrl)};`,
        `const engine = new IiiEngine({ binary: ${JSON.stringify(BIN)} });`,
        'await engine.start();',
        'console.log(JSON.stringify({ pids: engine.pids(), dir: engine.workDir }));',
        'setInterval(() => {}, 60_000);',
      ].join('\n'),
    );

    // One process (tsx as a loader, not its CLI, which would fork a child).
    const parent = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: new URL('.', ROOT),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const started = JSON.parse(await firstLine(parent.stdout, 25_000));
      const [supervisorPid, enginePid] = started.pids as number[];
      expect(alive(enginePid)).toBe(true);

      parent.kill('SIGKILL');
      const gone = await waitFor(() => !alive(enginePid) && !alive(supervisorPid), 8_000);
      expect(gone, `engine ${enginePid} outlived its SIGKILLed parent`).toBe(true);
      expect(await waitFor(() => !existsSync(started.dir), 2_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Retries a ping until the callee's registration has reached the engine. */
async function callUntilUp(client: IIIClient, withinMs: number): Promise<unknown> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await client.trigger({ function_id: PING, payload: {}, timeoutMs: 2_000 });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function transfer(client: IIIClient, size: number): Promise<SinkDigest> {
  const payload = randomBytes(size);
  const text = 'text after bytes: ✓ 𝄞 iii';
  const channel = await createChannel(client);
  const result = client.trigger<unknown, SinkDigest>({
    function_id: SINK,
    payload: { reader: channel.readerRef },
    timeoutMs: 30_000,
  });

  channel.writer.sendMessage('text before bytes');
  await writeAndEnd(channel.writer.stream, payload, () => channel.writer.sendMessage(text));
  const digest = await result;
  expect(digest.sha256).toBe(sha256(payload));
  expect(digest.texts).toEqual(['text before bytes', text]);
  return digest;
}

function writeAndEnd(stream: Writable, data: Buffer, beforeEnd: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.write(data, (err) => {
      if (err) return reject(err);
      beforeEnd();
      stream.end(() => resolve());
    });
  });
}
