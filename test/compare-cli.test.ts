// The compare command through the real CLI: exit statuses 0, 1 and 2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../harness/paths.ts';
import { cell, run } from './helpers/results-builder.ts';

const BIN = join(ROOT, 'bin', 'iii-conformance.js');

describe('iii-conformance compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-cli-'));
  const save = (name: string, data: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(data));
    return path;
  };
  const good = save('good.json', run([cell('f/a', 'ts->py')]));
  const bad = save('bad.json', run([cell('f/a', 'ts->py', { verdict: 'TIMEOUT' })]));
  const compare = (...args: string[]) =>
    execa(process.execPath, [BIN, 'compare', ...args], { cwd: ROOT, reject: false });

  it('exits 0 without regressions and 1 with one', async () => {
    const same = await compare(good, good, '--markdown', join(dir, 'same.md'));
    expect(same.exitCode).toBe(0);
    const worse = await compare(good, bad);
    expect(worse.exitCode).toBe(1);
    expect(worse.stdout).toContain('PASS -> TIMEOUT');
    expect(worse.stdout).toContain(`markdown: ${join(dir, 'compare.md')}`);
  });

  it('exits 2 with one sentence for incompatible input or a bad flag', async () => {
    const old = save('v0.json', { schema: 'iii-conformance/results/v0' });
    const r = await compare(old, good);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: .*v0.json has schema "iii-conformance\/results\/v0"/);
    expect((await compare(good, good, '--noise-pct', 'lots')).exitCode).toBe(2);
  });
});
