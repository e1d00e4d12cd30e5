// Pins harness/engine-memory.ts: the resident set read from /proc for a list
// of pids, null when none is readable, and the sampling window over it. Only
// shapes and relations are checked, never absolute sizes: the machine is
// shared and its memory is not ours to predict.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { residentKib, sampleEngineGrowth } from '../harness/engine-memory.ts';

/** A pid above the kernel's pid_max, so no process can have it. */
function deadPid(): number {
  try {
    return Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) + 1;
  } catch {
    return 2 ** 31 - 1;
  }
}

describe.skipIf(process.platform !== 'linux')('engine memory from /proc', () => {
  it('reads a live process: a positive whole number of KiB', () => {
    const kib = residentKib([process.pid]);
    expect(kib).not.toBeNull();
    expect(Number.isInteger(kib)).toBe(true);
    expect(kib as number).toBeGreaterThan(0);
  });

  it('is null for a pid that does not exist and for no pid at all', () => {
    expect(residentKib([deadPid()])).toBeNull();
    expect(residentKib([])).toBeNull();
  });

  it('skips pids that are gone (a restart leaves old ones in the list)', () => {
    const mixed = residentKib([deadPid(), process.pid]);
    expect(mixed).not.toBeNull();
    expect(mixed as number).toBeGreaterThan(0);
  });

  it('samples a live pid over a short window: several samples, growth never negative', async () => {
    const growth = await sampleEngineGrowth(() => [process.pid], 300);
    expect(growth).not.toBeNull();
    const g = growth as NonNullable<typeof growth>;
    expect(g.samples).toBeGreaterThanOrEqual(2);
    expect(g.growth_kib).toBeGreaterThanOrEqual(0);
    expect(g.baseline_kib).toBeGreaterThan(0);
    expect(g.peak_kib).toBeGreaterThanOrEqual(g.baseline_kib);
    expect(g.growth_kib).toBe(g.peak_kib - g.baseline_kib);
  });

  it('asks the getter again for every sample, so a restarted engine is followed', async () => {
    let calls = 0;
    const growth = await sampleEngineGrowth(() => {
      calls += 1;
      return [process.pid];
    }, 200);
    expect(growth?.samples).toBe(calls);
  });

  it('is null when no pid is readable at the start', async () => {
    expect(await sampleEngineGrowth(() => [], 100)).toBeNull();
    expect(await sampleEngineGrowth(() => [deadPid()], 100)).toBeNull();
  });

  it('stops at the baseline when the engine cannot be read any more', async () => {
    let first = true;
    const growth = await sampleEngineGrowth(() => {
      const pids = first ? [process.pid] : [deadPid()];
      first = false;
      return pids;
    }, 2000);
    expect(growth).toMatchObject({ samples: 1, growth_kib: 0 });
    expect(growth?.peak_kib).toBe(growth?.baseline_kib);
  });
});
