// Test-only process control: the reference broker and the worker run as the
// harness would run them, as child processes on loopback with explicit URLs.
// Nothing here is imported by the worker itself.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;
const TSX = `${ROOT}node_modules/.bin/tsx`;
export const REFERENCE_MAIN = `${ROOT}engines/reference/main.ts`;
export const WORKER_MAIN = `${ROOT}workers-ts/src/main.ts`;
export const referenceAvailable = existsSync(REFERENCE_MAIN);

export interface Child {
  proc: ChildProcess;
  log: string[];
  /** Closes stdin (the contract's exit signal) and waits for the exit. */
  stop(): Promise<number | null>;
}

function track(proc: ChildProcess, name: string): Child {
  const log: string[] = [];
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (text: string) => {
    for (const line of text.split('\n')) if (line) log.push(line);
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${text}`);
  });
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  return {
    proc,
    log,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.stdin?.end();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export async function startReference(args: string[] = []): Promise<Child & { wsUrl: string }> {
  const proc = spawn(TSX, [REFERENCE_MAIN, '--port', '0', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, OTEL_ENABLED: 'false' },
  });
  const child = track(proc, 'engine');
  proc.stdout?.setEncoding('utf8');
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    proc.stdout?.on('data', (text: string) => {
      buffered += text;
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n')) resolve(JSON.parse(line).wsUrl as string);
    });
    proc.on('exit', (code) =>
      reject(new Error(`reference broker exited (${code}) before listening`)),
    );
  });
  return { ...child, wsUrl };
}

export function startWorker(wsUrl: string, name: string, lang = 'ts'): Child {
  const proc = spawn(NODE, ['--import', 'tsx', WORKER_MAIN], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      III_URL: wsUrl,
      III_WORKER_NAME: name,
      III_CONFORMANCE_LANG: lang,
      OTEL_ENABLED: 'false',
    },
  });
  return track(proc, name);
}

/** A port the kernel just handed out on loopback; the engine binds it next. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until)
      throw new Error(`iii engine not listening on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A real iii engine (notes §5) listening only on 127.0.0.1, with a config of
 * our own in a temp dir, telemetry and update checks off, and an environment
 * stripped of anything that could point it elsewhere.
 */
export async function startIii(bin: string): Promise<Child & { wsUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ts-worker-iii-'));
  const port = await freePort();
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'workers:',
      '  - name: iii-worker-manager',
      '    config:',
      '      host: "127.0.0.1"',
      `      port: ${port}`,
      '',
    ].join('\n'),
  );
  const proc = spawn(bin, ['--config', config, '--no-update-check'], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      III_TELEMETRY_ENABLED: 'false',
      IIIWORKER_DISABLE_BUILTIN_DAEMONS: '1',
      OTEL_ENABLED: 'false',
    },
  });
  proc.stdout?.resume();
  const child = track(proc, 'iii');
  await waitForPort(port, 20_000);
  return {
    ...child,
    wsUrl: `ws://127.0.0.1:${port}`,
    async stop() {
      // The engine does not watch stdin; SIGTERM is its documented stop.
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const code = await once(proc, 'exit').then(([c]) => c as number | null);
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

export type EngineKind = 'reference' | 'iii';

/** E2E_ENGINE=iii with III_BIN=<path> runs the same tests on a real engine. */
export const engineKind: EngineKind = process.env.E2E_ENGINE === 'iii' ? 'iii' : 'reference';

export const engineAvailable =
  engineKind === 'iii'
    ? Boolean(process.env.III_BIN && existsSync(process.env.III_BIN))
    : referenceAvailable;

export function startEngine(): Promise<Child & { wsUrl: string }> {
  return engineKind === 'iii' ? startIii(process.env.III_BIN as string) : startReference();
}
