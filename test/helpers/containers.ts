// Shared by the container tests: a Docker daemon and the images (made by the
// same script CI uses), the CLI as a child process, and the containers a run
// left behind. III_CONFORMANCE_SKIP_CONTAINERS=1 skips them on a machine that
// cannot run Docker; anywhere else a missing daemon is a failure, not a skip.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { expect } from 'vitest';
import { ROOT } from '../../harness/paths.ts';
import { listRunContainers } from '../../harness/runtime/container-docker.ts';
import {
  ensureImages,
  IMAGE_SPECS,
  type ImageName_,
} from '../../harness/runtime/container-images.ts';

export const SKIP_CONTAINERS = process.env.III_CONFORMANCE_SKIP_CONTAINERS === '1';
if (SKIP_CONTAINERS) console.warn('container tests skipped: III_CONFORMANCE_SKIP_CONTAINERS=1');

/** A first build on two cores (the Rust worker) takes minutes; later ones seconds. */
export const SETUP_TIMEOUT_MS = 40 * 60_000;

const NODE = existsSync(join(ROOT, 'node_modules', '.bin', 'node'))
  ? join(ROOT, 'node_modules', '.bin', 'node')
  : process.execPath;

let ready: Promise<void> | undefined;

/** dockerd running, the base image present, every image of the project built. */
export function dockerReady(): Promise<void> {
  ready ??= (async () => {
    const setup = await execa(join(ROOT, 'scripts', 'docker-setup.sh'), {
      all: true,
      reject: false,
    });
    if (setup.failed) throw new Error(`scripts/docker-setup.sh failed:\n${setup.all}`);
    const lines: string[] = [];
    await ensureImages(Object.keys(IMAGE_SPECS) as ImageName_[], (l) => lines.push(l)).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${lines.join('\n')}`);
      },
    );
  })();
  return ready;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in a child process, as a user runs it. */
export function cli(args: string[], env: Record<string, string> = {}): ResultPromise {
  return execa(NODE, [join(ROOT, 'bin', 'iii-conformance.js'), ...args], {
    cwd: ROOT,
    env: { OTEL_ENABLED: 'false', ...env },
    reject: false,
    stdin: 'ignore',
  });
}

export async function runCli(args: string[], env?: Record<string, string>): Promise<CliResult> {
  const r = await cli(args, env);
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The run id the container runtime prints on stderr before anything starts. */
export function runIdOf(stderr: string): string {
  const match = /containers: Docker \S+, run (\S+)/.exec(stderr);
  if (!match) throw new Error(`no run id in the output:\n${stderr}`);
  return match[1];
}

export interface Results {
  run: { id: string; runtime: string; interrupted: boolean };
  images?: Record<string, { tag: string; id: string }>;
  summary: Record<string, number>;
  cells: {
    id: string;
    writer: string;
    reader: string;
    relays: string[];
    verdict: string;
    reason?: string;
  }[];
}

export function readResults(dir: string): Results {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
}

/** Containers still there for a run, polled until none or the deadline. */
export async function leftovers(runId: string, waitMs = 0): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const left = await listRunContainers(runId);
    if (left.length === 0 || Date.now() >= deadline) {
      return left.map((c) => `${c.Id.slice(0, 12)} ${c.Image} ${c.State}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts a container run, waits until cells are running, then sends `signal`. */
export async function interruptedRun(signal: 'SIGINT' | 'SIGKILL', dir: string, args: string[]) {
  const child = cli([...args, '--profile', 'full', '--report-dir', dir]);
  let out = '';
  const running = new Promise<void>((resolve) => {
    const watch = (chunk: Buffer) => {
      out += chunk.toString();
      if (/running \d+ cells/.test(out) && /\[\s*\d+\/\d+\]/.test(out)) resolve();
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
  });
  await Promise.race([running, child]);
  const runId = runIdOf(out);
  expect((await leftovers(runId)).length, 'containers while running').toBeGreaterThanOrEqual(4);
  child.kill(signal);
  const result = await child;
  return { runId, code: result.exitCode, signal: result.signal, out };
}
