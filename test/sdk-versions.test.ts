// run --sdk: parsing, the environments set up beside the pinned ones, and a
// real run of the Python worker on another published iii-sdk.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { PY_VENV, ROOT } from '../harness/paths.ts';
import type { RunResults } from '../harness/report/results.ts';
import { collectSdkVersions } from '../harness/sdk-versions/parse.ts';
import { requirementsFor } from '../harness/sdk-versions/python.ts';
import { manifestFor } from '../harness/sdk-versions/rust.ts';

// Another published PyPI iii-sdk than the one workers-py pins (pip index versions iii-sdk).
const OTHER_PY_SDK = '0.24.6';

describe('run --sdk: parsing', () => {
  it('takes repeated and comma-separated lang=version, later ones winning', () => {
    const first = collectSdkVersions('py=0.24.6,ts=0.22.0');
    expect(collectSdkVersions('py=0.24.5', first)).toEqual({ py: '0.24.5', ts: '0.22.0' });
  });

  it.each(['py', 'go=1.0', 'py=', 'py=1=2', 'py=latest', 'py=1.0;rm'])('refuses %s', (bad) => {
    expect(() => collectSdkVersions(bad)).toThrow(/lang>=<version>|not a version/);
  });
});

describe('run --sdk: environments beside the pinned ones', () => {
  it('keeps the Python lock pins but lets the iii-* packages follow the chosen SDK', () => {
    const lock = 'anyio==4.16.0\niii-helpers==0.25.0\niii-sdk==0.25.0\nwebsockets==17.4\n';
    expect(requirementsFor(lock, '0.24.6').split('\n').filter(Boolean)).toEqual([
      'anyio==4.16.0',
      'websockets==17.4',
      'iii-sdk==0.24.6',
    ]);
  });

  it("rewrites a copy of the Rust manifest: exact SDK, the worker's sources, no dev-deps", () => {
    const manifest = readFileSync(join(ROOT, 'workers-rs', 'Cargo.toml'), 'utf8');
    const copy = manifestFor(manifest, '0.24.6');
    expect(copy).toMatch(/^iii-sdk = "=0\.24\.6"$/m);
    expect(copy).toContain(`path = ${JSON.stringify(join(ROOT, 'workers-rs', 'src/main.rs'))}`);
    expect(copy).toContain(`build = ${JSON.stringify(join(ROOT, 'workers-rs', 'build.rs'))}`);
    expect(copy).not.toContain('[dev-dependencies]');
    expect(copy).toContain('[dependencies]');
  });
});

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  const reportDir = mkdtempSync(join(tmpdir(), 'sdk-run-'));
  made.push(reportDir);
  const r = await execa(
    process.execPath,
    [join(ROOT, 'bin', 'iii-conformance.js'), 'run', '--report-dir', reportDir, ...args],
    { cwd: ROOT, all: true, reject: false, env: { OTEL_ENABLED: 'false' } },
  );
  const file = join(reportDir, 'results.json');
  const results = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as RunResults)
    : undefined;
  return { exitCode: r.exitCode, output: r.all ?? '', results };
}

function pinnedPySdk(): string | undefined {
  const site = join(PY_VENV, 'lib');
  for (const py of readdirSync(site)) {
    const dist = readdirSync(join(site, py, 'site-packages')).find((d) =>
      /^iii_sdk-.*\.dist-info$/.test(d),
    );
    if (dist) return dist.replace(/^iii_sdk-(.*)\.dist-info$/, '$1');
  }
  return undefined;
}

describe('run --sdk: end to end', () => {
  it(`runs the Python worker on iii-sdk ${OTHER_PY_SDK} and records it, pinned venv untouched`, {
    timeout: 300_000,
  }, async () => {
    const pinnedBefore = pinnedPySdk();
    const args = ['--langs', 'ts,py', '--scenario', 'frames/size-65537'];
    const other = await run([...args, '--sdk', `py=${OTHER_PY_SDK}`]);
    expect(other.exitCode, other.output).toBe(0);
    expect(other.results?.workers.py.sdk?.version).toBe(OTHER_PY_SDK);
    expect(other.results?.run.argv).toContain(`py=${OTHER_PY_SDK}`);
    expect(pinnedPySdk()).toBe(pinnedBefore);

    const pinned = await run(args);
    expect(pinned.exitCode, pinned.output).toBe(0);
    expect(pinned.results?.workers.py.sdk?.version).toBe(pinnedBefore);
    // Same cells, two SDK versions: what compare reads to name the difference.
    expect(pinned.results?.cells.map((c) => c.id).sort()).toEqual(
      other.results?.cells.map((c) => c.id).sort(),
    );
  });

  it('says the registry has no such version, with the ones it has', {
    timeout: 120_000,
  }, async () => {
    const r = await run(['--langs', 'py', '--scenario', 'frames/size-1', '--sdk', 'py=9.9.9']);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('PyPI has no iii-sdk 9.9.9; published versions (newest first):');
    expect(r.output).toContain(OTHER_PY_SDK);
    expect(existsSync(join(ROOT, '.cache', 'venv-py-sdk-9.9.9'))).toBe(false);
  });

  it('refuses an SDK version for a language the run leaves out', async () => {
    const r = await run(['--langs', 'py', '--scenario', 'frames/size-1', '--sdk', 'rs=0.25.0']);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('--sdk names rs, which is not in --langs py');
  });
});
