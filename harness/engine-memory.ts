// The engine's resident memory while a reader is held back: read from
// /proc for the engine processes the adapter started, sampled every 50 ms.
// An engine that reads on from the writer instead of holding it back grows
// by what the writer pushes; one that applies backpressure stays near its
// buffer. Engines in containers have no host pid here and are not measured.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const SAMPLE_MS = 50;

export interface EngineGrowth {
  baseline_kib: number;
  peak_kib: number;
  growth_kib: number;
  samples: number;
}

/** Resident set of the live processes among `pids`, in KiB, or null when none is readable. */
export function residentKib(pids: readonly number[]): number | null {
  let total = 0;
  let seen = 0;
  for (const pid of pids) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue; // exited (a restart leaves old pids in the list) or not ours to read
    }
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    if (!match) continue;
    total += Number(match[1]);
    seen += 1;
  }
  return seen > 0 ? total : null;
}

/** Samples the engine for `windowMs` from now; null when its memory cannot be read here. */
export async function sampleEngineGrowth(
  pids: () => readonly number[],
  windowMs: number,
): Promise<EngineGrowth | null> {
  const baseline = residentKib(pids());
  if (baseline === null) return null;
  let peak = baseline;
  let samples = 1;
  const until = performance.now() + windowMs;
  while (performance.now() < until) {
    await sleep(SAMPLE_MS);
    const now = residentKib(pids());
    if (now === null) break;
    peak = Math.max(peak, now);
    samples += 1;
  }
  return { baseline_kib: baseline, peak_kib: peak, growth_kib: peak - baseline, samples };
}
