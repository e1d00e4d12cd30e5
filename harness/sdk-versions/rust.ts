// A chosen crates.io iii-sdk beside the pinned one: a copy of the worker's
// manifest in .cache/rs-sdk-<version> with iii-sdk = "=<version>", pointing
// at the sources in workers-rs/ (so include_bytes! paths hold), a copy of the
// lock file for every other pin, and its own target dir. workers-rs/ and the
// pinned build are never touched.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CACHE, ROOT } from '../paths.ts';
import type { WorkerCommand } from '../runtime/worker-process.ts';
import { SetupError, stream } from '../setup.ts';

type Progress = (line: string) => void;

const WORKER = join(ROOT, 'workers-rs');

/** The worker's manifest with iii-sdk at `version`, its paths made absolute, no dev-deps. */
export function manifestFor(manifest: string, version: string): string {
  const abs = (rel: string) => JSON.stringify(join(WORKER, rel));
  let out = manifest
    .replace(/^iii-sdk\s*=.*$/m, `iii-sdk = "=${version}"`)
    .replace(/^path\s*=\s*"(src\/[^"]+)"/gm, (_, rel: string) => `path = ${abs(rel)}`)
    // dev-dependencies pin iii-* crates to the default version; tests are not built here.
    .replace(/^\[dev-dependencies\][\s\S]*?(?=^\[|(?![\s\S]))/m, '');
  out = out.replace(
    /^\[package\]\n/m,
    ['[package]', `build = ${abs('build.rs')}`, 'autotests = false', 'autobenches = false']
      .concat('autoexamples = false', '')
      .join('\n'),
  );
  return out;
}

function lockedSdkVersion(lock: string): string | undefined {
  return lock.match(/name = "iii-sdk"\nversion = "([^"]+)"/)?.[1];
}

export async function ensureRustSdk(version: string, progress: Progress): Promise<WorkerCommand> {
  const cargo = await execa('cargo', ['--version'], { reject: false });
  if (cargo.failed) throw new SetupError('cargo not found: install Rust 1.89 or newer (rustup)');
  const dir = join(CACHE, `rs-sdk-${version}`);
  const target = join(CACHE, `cargo-target-rs-sdk-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'Cargo.toml'),
    manifestFor(readFileSync(join(WORKER, 'Cargo.toml'), 'utf8'), version),
  );
  copyFileSync(join(WORKER, 'Cargo.lock'), join(dir, 'Cargo.lock'));

  progress(`setup: rs: cargo build with iii-sdk ${version} in .cache/rs-sdk-${version}`);
  const manifest = join(dir, 'Cargo.toml');
  try {
    await stream('rs', 'cargo', ['build', '--release', '--manifest-path', manifest], progress, {
      CARGO_TARGET_DIR: target,
      CARGO_TERM_PROGRESS_WHEN: 'never',
    });
  } catch (err) {
    const message = (err as Error).message;
    if (/failed to select a version for the requirement `iii-sdk/.test(message)) {
      throw new SetupError(`crates.io has no iii-sdk ${version}:\n${message}`);
    }
    throw err;
  }
  const got = lockedSdkVersion(readFileSync(join(dir, 'Cargo.lock'), 'utf8'));
  if (got !== version) throw new SetupError(`rs: asked for iii-sdk ${version}, Cargo chose ${got}`);
  return {
    lang: 'rs',
    file: join(target, 'release', 'iii-conformance-worker-rs'),
    args: [],
    cwd: ROOT,
  };
}
