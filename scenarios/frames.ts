// frames: binary payloads of every size around the SDKs' 64 KiB frame limit,
// in one write, in many small writes, one byte at a time and with empty
// writes in between. A pass proves the bytes survive framing, reassembly and
// the engine's queue unchanged.
import { bytes, close, FRAME, MiB, plan, readAll } from './plans.ts';
import type { Scenario, Tier } from './types.ts';

/** Odd on purpose, so small writes never line up with frame boundaries. */
const SMALL_WRITE = 4 * 1024 - 1;

interface SizeCase {
  size: number;
  tier: Tier;
  profiles?: readonly Tier[];
}

const SIZES: SizeCase[] = [
  { size: 0, tier: 'core' },
  { size: 1, tier: 'core' },
  { size: FRAME - 1, tier: 'core' },
  { size: FRAME, tier: 'core' },
  { size: FRAME + 1, tier: 'core' },
  { size: 3 * FRAME - 1, tier: 'quick' },
  { size: 3 * FRAME, tier: 'quick' },
  { size: 3 * FRAME + 1, tier: 'quick' },
  { size: MiB + 1, tier: 'core' },
  // 16 MiB is the main job's large case; pull requests skip it for speed.
  { size: 16 * MiB, tier: 'core', profiles: ['core', 'full'] },
  { size: 64 * MiB, tier: 'full' },
];

function timeoutFor(size: number): number | undefined {
  if (size === 0) return 3000;
  if (size >= 64 * MiB) return 180_000;
  if (size >= 16 * MiB) return 60_000;
  return undefined;
}

function sizeScenario({ size, tier, profiles }: SizeCase, smallWrites: boolean): Scenario {
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
    tier,
    profiles,
    topology: { kind: 'pair' },
    plan: plan([bytes(id, size, smallWrites ? SMALL_WRITE : 0), close()]),
    read: readAll,
    timeoutMs: timeoutFor(size),
    alone: size >= 64 * MiB,
  };
}

const extra: Scenario[] = [
  {
    id: 'frames/one-byte-writes',
    family: 'frames',
    level: 'MUST',
    summary: '4,097 one-byte writes arrive as the same 4,097 bytes, however the SDK batches them.',
    tier: 'quick',
    topology: { kind: 'pair' },
    plan: plan([bytes('frames/one-byte', 4097, 1), close()]),
    read: readAll,
  },
  {
    id: 'frames/empty-writes-between',
    family: 'frames',
    level: 'MUST',
    summary:
      'Empty writes between data writes change nothing: the bytes arrive intact and in order.',
    tier: 'quick',
    topology: { kind: 'pair' },
    plan: plan([
      bytes('frames/empty-a', 1000),
      bytes('frames/empty-b', 0),
      bytes('frames/empty-c', FRAME + 1),
      bytes('frames/empty-d', 0),
      bytes('frames/empty-e', 1),
      close(),
    ]),
    read: readAll,
  },
  {
    id: 'frames/fire-and-forget-1048577',
    family: 'frames',
    level: 'MUST',
    summary:
      '1 MiB + 1 written fire-and-forget (no awaiting writes or the close) still arrives whole.',
    tier: 'quick',
    topology: { kind: 'pair' },
    plan: plan([bytes('frames/ff', MiB + 1, SMALL_WRITE), close()], 'FIRE_AND_FORGET'),
    read: readAll,
    timeoutMs: 8000,
  },
  {
    id: 'frames/stream-read-1048577',
    family: 'frames',
    level: 'MUST',
    summary: '1 MiB + 1 read chunk by chunk (not read-all) arrives byte-exact.',
    tier: 'quick',
    topology: { kind: 'pair' },
    plan: plan([bytes('frames/stream-read', MiB + 1), close()]),
    read: { style: 'STREAM', texts: true },
  },
];

export const framesScenarios: Scenario[] = [
  ...SIZES.map((c) => sizeScenario(c, false)),
  // Small writes matter where a write boundary can meet a frame boundary; the
  // 3-frame sizes add nothing there that 64 KiB +-1 does not.
  ...SIZES.filter((c) => c.size > SMALL_WRITE && c.size < 64 * MiB).map((c) =>
    sizeScenario(c.tier === 'quick' ? { ...c, tier: 'full' } : c, true),
  ),
  ...extra,
];
