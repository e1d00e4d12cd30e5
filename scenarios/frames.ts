// frames: binary payloads of every size around the SDKs' 64 KiB frame limit,
// in one write and in many small writes. A pass proves the bytes survive
// framing, reassembly and the engine's queue unchanged.
import { bytes, close, FRAME, MiB, plan, readAll } from './plans.ts';
import type { Scenario } from './types.ts';

const SIZES = [0, 1, FRAME - 1, FRAME, FRAME + 1, MiB + 1, 16 * MiB];
/** Odd on purpose, so small writes never line up with frame boundaries. */
const SMALL_WRITE = 4 * 1024 - 1;

function sizeScenario(size: number, smallWrites: boolean): Scenario {
  const id = `frames/size-${size}${smallWrites ? '-small-writes' : ''}`;
  const how = smallWrites ? `in writes of ${SMALL_WRITE} B` : 'in one write';
  return {
    id,
    family: 'frames',
    level: 'MUST',
    summary:
      size === 0
        ? 'An empty stream (one empty write, then close) must end cleanly with zero bytes, not hang.'
        : `${size.toLocaleString('en-US')} B ${how} arrive byte-exact across the 64 KiB framing.`,
    tier: 'core',
    topology: { kind: 'pair' },
    plan: plan([bytes(id, size, smallWrites ? SMALL_WRITE : 0), close()]),
    read: readAll,
    // An empty stream either ends at once or never; 16 MiB needs headroom on a
    // busy two-core machine.
    timeoutMs: size === 0 ? 8000 : size >= 16 * MiB ? 60000 : undefined,
  };
}

export const framesScenarios: Scenario[] = [
  ...SIZES.map((size) => sizeScenario(size, false)),
  ...SIZES.filter((size) => size > SMALL_WRITE).map((size) => sizeScenario(size, true)),
];
