// A chosen PyPI iii-sdk beside the pinned one: its own virtualenv,
// .cache/venv-py-sdk-<version>, with the lock file's pins except the iii-*
// packages, which follow the chosen iii-sdk (it pins iii-helpers to itself).
// The worker's sources run from workers-py/src through PYTHONPATH, so
// nothing in workers-py/ or .cache/venv-py is touched.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CACHE, ROOT } from '../paths.ts';
import type { WorkerCommand } from '../runtime/worker-process.ts';
import { findPython, SetupError, stream } from '../setup.ts';

type Progress = (line: string) => void;

export const pySdkVenv = (version: string) => join(CACHE, `venv-py-sdk-${version}`);

/** The lock file with iii-sdk at `version` and its lockstep iii-* pins left to pip. */
export function requirementsFor(lock: string, version: string): string {
  const kept = lock.split('\n').filter((line) => !/^iii[-_]/i.test(line.trim()));
  return [...kept, `iii-sdk==${version}`, ''].join('\n');
}

async function publishedVersions(pip: string): Promise<string[] | null> {
  const r = await execa(pip, ['index', 'versions', 'iii-sdk', '--disable-pip-version-check'], {
    reject: false,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('Available versions:'));
  return line
    ? line
        .replace('Available versions:', '')
        .split(',')
        .map((v) => v.trim())
    : null;
}

export async function ensurePythonSdk(version: string, progress: Progress): Promise<WorkerCommand> {
  const venv = pySdkVenv(version);
  const python = join(venv, 'bin', 'python');
  const lock = readFileSync(join(ROOT, 'workers-py', 'requirements.lock'), 'utf8');
  const requirements = requirementsFor(lock, version);
  const want = createHash('sha256').update(requirements).digest('hex');
  const stampFile = join(venv, '.conformance-stamp');
  const command: WorkerCommand = {
    lang: 'py',
    file: python,
    args: ['-m', 'iii_conformance_worker'],
    cwd: ROOT,
    env: { PYTHONPATH: join(ROOT, 'workers-py', 'src') },
  };
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want) return command;

  progress(
    `setup: py: iii-sdk ${version} in .cache/venv-py-sdk-${version} (the pinned venv stays)`,
  );
  await stream('py', await findPython(), ['-m', 'venv', '--clear', venv], progress);
  const pip = join(venv, 'bin', 'pip');
  const published = await publishedVersions(pip);
  if (published && !published.includes(version)) {
    rmSync(venv, { recursive: true, force: true });
    throw new SetupError(
      `PyPI has no iii-sdk ${version}; published versions (newest first): ` +
        `${published.slice(0, 12).join(', ')}${published.length > 12 ? ', …' : ''}`,
    );
  }
  const file = join(venv, 'requirements-sdk.txt');
  writeFileSync(file, requirements);
  await stream('py', pip, ['install', '--disable-pip-version-check', '-r', file], progress);

  const got = await execa(python, [
    '-c',
    'import importlib.metadata as m; print(m.version("iii-sdk"))',
  ]);
  if (got.stdout.trim() !== version) {
    throw new SetupError(`py: asked for iii-sdk ${version}, the venv has ${got.stdout.trim()}`);
  }
  writeFileSync(stampFile, want);
  progress(`setup: py: iii-sdk ${version} ready`);
  return command;
}
