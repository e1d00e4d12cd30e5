// Test-only process control: the reference broker and the worker run as the
// harness would run them, as child processes on loopback with explicit URLs.
// Nothing here is imported by the worker itself.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
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
