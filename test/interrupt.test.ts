// Ctrl-C and kill -9 in the process runtime: nothing the run started may
// outlive it. The run's process tree is read from /proc before the signal,
// so the check does not depend on names or on other tests.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { alive, waitFor } from './helpers/processes.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'iii-conformance.js');

function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return kids;
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const child of childrenOf(pid)) out.push(child, ...descendants(child));
  return out;
}

async function startRun() {
  const child = execa(
    process.execPath,
    [
      BIN,
      'run',
      '--langs',
      'ts,py,rs',
      '--scenario',
      'backpressure/buffer-1-slow-reader',
      '--repeat',
      '6',
      '--no-expectations',
      '--report-dir',
      mkdtempSync(join(tmpdir(), 'iii-conformance-interrupt-')),
    ],
    { reject: false, all: true, env: { OTEL_ENABLED: 'false' } },
  );
  let output = '';
  child.all?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const started = await waitFor(() => /\[ *1\/\d+\]/.test(output), 60_000);
  expect(started, output).toBe(true);
  const tree = descendants(child.pid as number);
  expect(tree.length, 'the run has an engine and workers').toBeGreaterThanOrEqual(3);
  return { child, tree, output: () => output };
}

describe.skipIf(process.platform !== 'linux')('interrupting a run', () => {
  it('Ctrl-C stops the run with status 130 and takes every child along', async () => {
    const { child, tree, output } = await startRun();
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, output()).toBe(130);
    expect(
      await waitFor(() => tree.every((pid) => !alive(pid)), 10_000),
      `left: ${tree.filter(alive)}`,
    ).toBe(true);
  });

  it('kill -9 of the harness still leaves no engine or worker behind', async () => {
    const { child, tree } = await startRun();
    child.kill('SIGKILL');
    await child;
    // Workers and the broker read EOF on the stdin pipe the harness held.
    expect(
      await waitFor(() => tree.every((pid) => !alive(pid)), 15_000),
      `left: ${tree.filter(alive)}`,
    ).toBe(true);
  });
});
