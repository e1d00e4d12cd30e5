#!/usr/bin/env node
// `npm test`: every suite of the project (lint, types, TypeScript, Python and
// Rust tests), each run even when an earlier one failed, then one closing
// line "tests: N passed, N failed, N skipped" summed over the suites.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, '.cache', 'test-results');
mkdirSync(OUT, { recursive: true });
const PY = join(ROOT, '.cache', 'venv-py', 'bin', 'python');
const CARGO_ENV = { CARGO_TARGET_DIR: join(ROOT, '.cache', 'cargo-target') };
const RS_MANIFEST = ['--manifest-path', 'workers-rs/Cargo.toml'];

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];

async function step(name, file, args, { env = {}, count } = {}) {
  process.stdout.write(`\n=== ${name}: ${file} ${args.join(' ')}\n`);
  const started = Date.now();
  const result = await execa(file, args, {
    cwd: ROOT,
    env: { OTEL_ENABLED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    all: true,
    reject: false,
  });
  process.stdout.write(result.all ? `${result.all}\n` : '');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const counted = count ? count(result.all ?? '') : null;
  if (counted) for (const k of Object.keys(totals)) totals[k] += counted[k];
  if (result.failed) {
    failedSteps.push(name);
    if (!counted || counted.failed === 0) totals.failed += 1;
  }
  process.stdout.write(`=== ${name}: ${result.failed ? 'FAILED' : 'ok'} in ${seconds} s\n`);
}

const vitestCounts = () => {
  const file = join(OUT, 'vitest.json');
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  return {
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests + r.numTodoTests,
  };
};

const pytestCounts = (out) => {
  const line =
    out
      .split('\n')
      .reverse()
      .find((l) => /\d+ (passed|failed)/.test(l)) ?? '';
  const n = (word) => Number(line.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  return { passed: n('passed'), failed: n('failed') + n('error'), skipped: n('skipped') };
};

const cargoCounts = (out) => {
  const sum = { passed: 0, failed: 0, skipped: 0 };
  for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)) {
    sum.passed += Number(m[1]);
    sum.failed += Number(m[2]);
    sum.skipped += Number(m[3]);
  }
  return sum;
};

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

await step('lint', bin('biome'), ['check', '.']);
await step('types', bin('tsc'), ['--noEmit', '-p', '.']);
await step('setup', process.execPath, [join(ROOT, 'bin', 'iii-conformance.js'), 'setup']);
// The container runtime's tests run for real: dockerd, the offline base image
// and the images, each step a no-op when already done (III_CONFORMANCE_SKIP_CONTAINERS=1
// leaves containers out, and the container tests then say so).
if (process.env.III_CONFORMANCE_SKIP_CONTAINERS !== '1') {
  await step('docker', 'bash', [join(ROOT, 'scripts', 'docker-setup.sh')]);
  await step('images', process.execPath, [
    join(ROOT, 'bin', 'iii-conformance.js'),
    'setup',
    '--runtime',
    'container',
  ]);
}
await step(
  'ts tests',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile=${join(OUT, 'vitest.json')}`],
  { count: vitestCounts },
);
await step('py lint', PY, ['-m', 'ruff', 'check', 'workers-py']);
await step('py tests', PY, ['-m', 'pytest', 'workers-py/tests', '-q', '-p', 'no:cacheprovider'], {
  count: pytestCounts,
});
await step('rs format', 'cargo', ['fmt', '--check', ...RS_MANIFEST]);
await step(
  'rs tests',
  'cargo',
  ['test', '--release', '--locked', '--no-fail-fast', ...RS_MANIFEST],
  {
    env: CARGO_ENV,
    count: cargoCounts,
  },
);

process.stdout.write(`\nsteps failed: ${failedSteps.length ? failedSteps.join(', ') : 'none'}\n`);
process.stdout.write(
  `tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
);
process.exitCode = failedSteps.length > 0 ? 1 : 0;
