// Throughput changes that stand out from the noise. When both runs used
// --repeat they measure their own noise per cell; otherwise a default stands.
import type { CellResult } from '../report/results.ts';

/** Threshold for cells that ran once in both runs; --noise-pct overrides it. */
export const DEFAULT_NOISE_PCT = 25;

/** Floor under a measured spread: two equal samples do not make 1% significant. */
export const MIN_NOISE_PCT = 5;

/** Smaller transfers measure set-up latency, not throughput. */
export const MIN_THROUGHPUT_BYTES = 65_536;

export interface ThroughputChange {
  key: string;
  old_mbps: number;
  new_mbps: number;
  /** (new - old) / old, in percent */
  change_pct: number;
  /** the change had to exceed this, in percent */
  noise_pct: number;
  /** repeats: both runs repeated the cell and measured noise_pct; else the default */
  basis: 'repeats' | 'default';
  samples: { old: number; new: number };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Spread of repeated measurements, (max - min) / median in percent; null for one sample. */
export function spreadPct(xs: readonly number[]): number | null {
  const m = median(xs);
  if (xs.length < 2 || m <= 0) return null;
  return ((Math.max(...xs) - Math.min(...xs)) / m) * 100;
}

/** Throughput samples of a cell's attempts that passed and moved enough bytes. */
export function samplesOf(cells: readonly CellResult[]): number[] {
  return cells
    .filter((c) => c.verdict === 'PASS' || c.verdict === 'XPASS')
    .filter((c) => (c.expected?.bytes ?? 0) >= MIN_THROUGHPUT_BYTES && c.throughput_mbps > 0)
    .map((c) => c.throughput_mbps);
}

/** The change of one cell's median throughput, or null when it is within the noise. */
export function throughputChange(
  key: string,
  oldCells: readonly CellResult[],
  newCells: readonly CellResult[],
  defaultNoisePct: number,
): ThroughputChange | null {
  const a = samplesOf(oldCells);
  const b = samplesOf(newCells);
  if (a.length === 0 || b.length === 0) return null;

  // Two runs measure their noise only when both repeated the cell; a spread
  // from one side alone can raise the default threshold but never lower it.
  const spreads = [spreadPct(a), spreadPct(b)].filter((s): s is number => s !== null);
  const measured = spreads.length === 2;
  const noise = measured
    ? Math.max(MIN_NOISE_PCT, ...spreads)
    : Math.max(defaultNoisePct, ...spreads);
  const oldMbps = median(a);
  const newMbps = median(b);
  const change = ((newMbps - oldMbps) / oldMbps) * 100;
  if (Math.abs(change) <= noise) return null;
  // Repeated on both sides, the samples must not overlap either.
  if (measured && Math.min(...b) <= Math.max(...a) && Math.min(...a) <= Math.max(...b)) {
    return null;
  }
  return {
    key,
    old_mbps: oldMbps,
    new_mbps: newMbps,
    change_pct: Math.round(change * 10) / 10,
    noise_pct: Math.round(noise * 10) / 10,
    basis: measured ? 'repeats' : 'default',
    samples: { old: a.length, new: b.length },
  };
}
