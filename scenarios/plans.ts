// Small builders so scenario files read like the plans they describe.
import type { Op, Plan, ReadSpec, WriteStyle } from '../harness/schema/types.ts';

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const FRAME = 64 * KiB;

export const bytes = (seed: string, length: number, chunk = 0, offset = 0): Op => ({
  bytes: { seed, offset, length, chunk },
});
export const text = (value: string, repeat = 0): Op => ({ text: { value, repeat } });
export const pause = (ms: number): Op => ({ pause: { ms } });
export const close = (): Op => ({ close: {} });

export const plan = (ops: Op[], style: WriteStyle = 'AWAITED'): Plan => ({ ops, style });

export const readAll: ReadSpec = { style: 'READ_ALL', texts: true };
export const readStream = (extra: Partial<ReadSpec> = {}): ReadSpec => ({
  style: 'STREAM',
  texts: true,
  ...extra,
});
