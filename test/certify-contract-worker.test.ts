// certify end to end: the example worker written from docs/worker-contract.md
// earns a certificate on a small scenario subset, and its deliberately broken
// variants do not.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../harness/paths.ts';
import { SUITE_VERSION } from '../harness/version.ts';
import { CONTRACT_WORKER, certify, removeReports } from './helpers/certify-cli.ts';

afterAll(removeReports);

const SCENARIOS = [
  'frames/size-65537',
  'interleave/text-between-binary',
  'ownership/producer-created',
  'pipeline/three-languages',
].join(',');

const NPM_SDK = JSON.parse(
  readFileSync(join(ROOT, 'node_modules', 'iii-sdk', 'package.json'), 'utf8'),
).version;

describe('certify: contract worker', () => {
  it('certifies the example worker and records who was tested against what', async () => {
    const run = await certify([
      '--worker',
      CONTRACT_WORKER,
      '--lang',
      'ts_contract',
      '--sdk-name',
      'iii-sdk (npm), contract example',
      '--scenario',
      SCENARIOS,
    ]);
    expect(run.exitCode, run.output).toBe(0);
    const c = run.certificate;
    expect(c).toBeDefined();
    if (!c) return;
    expect(c.certified).toBe(true);
    expect(c.sdk).toMatchObject({
      lang: 'ts_contract',
      name: 'iii-sdk (npm), contract example',
      version: NPM_SDK,
      contract_version: '1',
    });
    expect(c.engine).toMatchObject({ kind: 'reference' });
    expect(c.suite_version).toBe(SUITE_VERSION);
    expect(c.references.map((r) => r.lang)).toEqual(['ts', 'py', 'rs']);
    expect(c.levels.must).toMatchObject({ all_passed: true, fail: 0 });
    expect(c.levels.must.pass).toBeGreaterThan(20);
    expect(Object.keys(c.directions).sort()).toEqual([
      'new->new',
      'new->ref',
      'pipeline',
      'ref->new',
    ]);
    expect(c.failures).toEqual([]);
    expect(run.markdown).toContain('**CERTIFIED: every MUST cell passed**');
    for (const name of ['results.json', 'summary.md', 'junit.xml']) {
      expect(existsSync(join(run.reportDir, name)), name).toBe(true);
    }
  });

  it.each([
    ['flip-byte', /got 65,637 B \(sha256 \w+…\), expected 65,637 B/],
    ['drop-text', /missing text #0/],
  ])('does not certify the %s variant and names each failure', async (mode, why) => {
    const run = await certify([
      '--worker',
      `CONTRACT_WORKER_BREAK=${mode} ${CONTRACT_WORKER}`,
      '--lang',
      'broken',
      '--refs',
      'py,rs',
      '--scenario',
      'interleave/text-between-binary',
    ]);
    expect(run.exitCode, run.output).toBe(1);
    const c = run.certificate;
    expect(c?.certified).toBe(false);
    expect(c?.levels.must.all_passed).toBe(false);
    const failures = c?.failures ?? [];
    const outward = failures.filter((f) => f.direction !== 'new->new');
    expect(outward.map((f) => f.cell).sort()).toEqual([
      'interleave/text-between-binary broken->py@reference',
      'interleave/text-between-binary broken->rs@reference',
      'interleave/text-between-binary py->broken@reference',
      'interleave/text-between-binary rs->broken@reference',
    ]);
    for (const f of outward) {
      expect(f.reason).toMatch(why);
      expect(f.rerun).toContain(`--lang broken`);
      expect(f.rerun).toContain(`--cell '${f.cell}'`);
    }
    expect(run.markdown).toContain('NOT CERTIFIED: a MUST cell failed');
  });
});

describe('certify: usage and set-up errors', () => {
  it('refuses a language tag that belongs to a reference worker', async () => {
    const run = await certify(['--worker', CONTRACT_WORKER, '--lang', 'py']);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain('--lang py is a reference worker');
  });

  it('says so, with its log tail, when the worker never answers describe', async () => {
    const run = await certify([
      '--worker',
      `${process.execPath} -e 'console.error("no SDK in here"); process.exit(3)'`,
      '--lang',
      'silent',
      '--refs',
      'py',
      '--scenario',
      'frames/size-1',
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain('never answered conformance::silent::describe');
    expect(run.output).toContain('no SDK in here');
    expect(run.certificate).toBeUndefined();
  });
});
