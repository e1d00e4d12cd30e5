// Builds what the workers need on first use and reuses it afterwards: the
// Python virtualenv (keyed by a hash of its lock file) and the Rust worker
// binary (cargo's own incremental build). Progress goes to stderr, line by line.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { BuiltinLang } from './builtin-workers.ts';
import { CARGO_TARGET, PY_VENV, ROOT } from './paths.ts';

export class SetupError extends Error {
  readonly code = 'SETUP';
}

type Progress = (line: string) => void;

export async function stream(
  lang: string,
  file: string,
  args: string[],
  progress: Progress,
  env: Record<string, string> = {},
): Promise<void> {
  const child = execa(file, args, { cwd: ROOT, env, all: true, reject: false, buffer: false });
  const tail: string[] = [];
  let partial = '';
  child.all?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      if (line.trim()) progress(`  ${lang} | ${line.trim()}`);
    }
  });
  const result = await child;
  if (result.failed) {
    const cause = result.code === 'ENOENT' ? `${file} was not found` : result.shortMessage;
    throw new SetupError(`${lang} set-up failed: ${cause}\n${tail.join('\n')}`);
  }
}

export async function findPython(): Promise<string> {
  for (const candidate of ['python3', 'python']) {
    const r = await execa(candidate, ['-c', 'import sys; print(sys.version_info >= (3, 10))'], {
      reject: false,
    });
    if (!r.failed && r.stdout.trim() === 'True') return candidate;
  }
  throw new SetupError(
    'python3 (3.10 or newer) not found: install it (Debian: apt-get install python3 python3-venv)' +
      ' or leave Python out with --langs ts,rs',
  );
}

function fingerprint(files: string[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(readFileSync(join(ROOT, f)));
  return hash.digest('hex');
}

export async function ensurePython(progress: Progress): Promise<void> {
  const inputs = ['workers-py/requirements.lock', 'workers-py/pyproject.toml'];
  const stampFile = join(PY_VENV, '.conformance-stamp');
  const want = fingerprint(inputs);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want) return;

  const python = await findPython();
  progress('setup: py: creating the virtualenv in .cache/venv-py (first run only)');
  await stream('py', python, ['-m', 'venv', '--clear', PY_VENV], progress);
  const pip = join(PY_VENV, 'bin', 'pip');
  await stream('py', pip, ['install', '--disable-pip-version-check', '-r', inputs[0]], progress);
  await stream('py', pip, ['install', '--no-deps', '-e', 'workers-py'], progress);
  writeFileSync(stampFile, want);
  progress('setup: py: ready');
}

export async function ensureRust(progress: Progress): Promise<void> {
  const cargo = await execa('cargo', ['--version'], { reject: false });
  if (cargo.failed) {
    throw new SetupError(
      'cargo not found: install Rust 1.89 or newer (rustup) or leave Rust out with --langs ts,py',
    );
  }
  progress(
    'setup: rs: cargo build --release (a clean build takes a few minutes, later runs reuse it)',
  );
  await stream(
    'rs',
    'cargo',
    ['build', '--release', '--locked', '--manifest-path', 'workers-rs/Cargo.toml'],
    progress,
    { CARGO_TARGET_DIR: CARGO_TARGET, CARGO_TERM_PROGRESS_WHEN: 'never' },
  );
}

export function ensureNode(): void {
  if (!existsSync(join(ROOT, 'node_modules', 'iii-sdk', 'package.json'))) {
    throw new SetupError('node_modules is missing: run `npm ci` in the project folder first');
  }
}

export async function ensureWorkers(
  langs: readonly BuiltinLang[],
  progress: Progress,
): Promise<void> {
  if (langs.includes('ts')) ensureNode();
  if (langs.includes('py')) await ensurePython(progress);
  if (langs.includes('rs')) await ensureRust(progress);
}
