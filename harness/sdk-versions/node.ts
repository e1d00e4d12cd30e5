// A chosen npm iii-sdk beside the pinned one: .cache/ts-sdk-<version> holds
// its own node_modules with that iii-sdk, a copy of workers-ts/src (taken
// afresh every run) and a link to fixtures/, laid out like the repository so
// the worker's relative paths hold. Node resolves iii-sdk from the copy's
// folder first and everything else (protobufjs, tsx) from the root
// node_modules further up; the root node_modules is never touched.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CACHE, ROOT } from '../paths.ts';
import type { WorkerCommand } from '../runtime/worker-process.ts';
import { SetupError, stream } from '../setup.ts';

type Progress = (line: string) => void;

export const tsSdkDir = (version: string) => join(CACHE, `ts-sdk-${version}`);

async function checkPublished(version: string): Promise<void> {
  const view = (spec: string, field: string) =>
    execa('npm', ['view', spec, field, '--json'], { reject: false });
  const r = await view(`iii-sdk@${version}`, 'version');
  if (r.failed && r.code === 'ENOENT') throw new SetupError('npm not found: install Node with npm');
  const found = parseJson(r.stdout);
  if (found === version || (Array.isArray(found) && found.includes(version))) return;
  if (!r.failed || (found as { error?: { code?: string } })?.error?.code !== 'E404') {
    throw new SetupError(`npm view iii-sdk@${version} failed: ${r.stderr || r.stdout}`);
  }
  const all = parseJson((await view('iii-sdk', 'versions')).stdout);
  const versions = Array.isArray(all) ? [...all].reverse() : [];
  throw new SetupError(
    `npm has no iii-sdk ${version}; published versions (newest first): ` +
      `${versions.slice(0, 12).join(', ')}${versions.length > 12 ? ', …' : ''}`,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function installedVersion(dir: string): string | undefined {
  const file = join(dir, 'node_modules', 'iii-sdk', 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined;
}

export async function ensureNodeSdk(version: string, progress: Progress): Promise<WorkerCommand> {
  const dir = tsSdkDir(version);
  if (installedVersion(dir) !== version) {
    await checkPublished(version);
    progress(`setup: ts: iii-sdk ${version} in .cache/ts-sdk-${version} (node_modules stays)`);
    mkdirSync(dir, { recursive: true });
    const manifest = { private: true, type: 'module', dependencies: { 'iii-sdk': version } };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // --prefix and no workspaces: the root project and its lock file stay as they are.
    const args = ['install', '--prefix', dir, '--workspaces=false', '--no-package-lock'];
    await stream('ts', 'npm', [...args, '--no-audit', '--no-fund'], progress);
    const got = installedVersion(dir);
    if (got !== version) {
      throw new SetupError(`ts: asked for iii-sdk ${version}, npm installed ${got ?? 'nothing'}`);
    }
  }

  const worker = join(dir, 'workers-ts');
  rmSync(worker, { recursive: true, force: true });
  cpSync(join(ROOT, 'workers-ts', 'src'), join(worker, 'src'), { recursive: true });
  cpSync(join(ROOT, 'workers-ts', 'package.json'), join(worker, 'package.json'));
  if (!existsSync(join(dir, 'fixtures')))
    symlinkSync(join(ROOT, 'fixtures'), join(dir, 'fixtures'));
  return {
    lang: 'ts',
    file: process.execPath,
    args: ['--import', 'tsx', join(worker, 'src', 'main.ts')],
    cwd: ROOT,
  };
}
