// pipeline: a stream relayed through workers of other languages, or copied
// by one source onto a channel per reader. Each hop and each channel reports
// its own digest, so a failure names the hop or the branch where bytes changed.
import { bytes, close, KiB, MiB, plan, readAll, readStream, text } from './plans.ts';
import type { Scenario } from './types.ts';

const base = { family: 'pipeline', level: 'MUST' } as const;

export const pipelineScenarios: Scenario[] = [
  {
    ...base,
    id: 'pipeline/three-languages',
    summary:
      'Writer, relay and reader in three languages (every rotation) pass 1 MiB + 1 and texts on intact.',
    tier: 'core',
    topology: { kind: 'pipeline', relays: 1 },
    plan: plan([text('hop'), bytes('pipeline/three', MiB + 1), text('done ✓'), close()]),
    read: readAll,
  },
  {
    ...base,
    id: 'pipeline/four-stages',
    summary:
      'Two relays in a row (every rotation, one language twice) pass 2 MiB and texts on intact.',
    tier: 'quick',
    topology: { kind: 'pipeline', relays: 2 },
    plan: plan([text('start'), bytes('pipeline/four', 2 * MiB), text('end'), close()]),
    read: readAll,
  },
  {
    ...base,
    id: 'pipeline/fan-out',
    summary:
      'One writer copies 1 MiB + 1 and texts onto a channel per reader language at once; every reader gets it intact.',
    tier: 'quick',
    topology: { kind: 'fanout' },
    plan: plan([text('fan'), bytes('pipeline/fan-out', MiB + 1, 64 * KiB), text('out ✓'), close()]),
    read: readStream(),
  },
  {
    ...base,
    id: 'pipeline/fan-out-fire-and-forget',
    summary:
      'The same fan-out with every write, text and close called without waiting, as the SDK docs allow.',
    tier: 'full',
    topology: { kind: 'fanout' },
    plan: plan(
      [text('fan'), bytes('pipeline/fan-out-ff', MiB + 1, 64 * KiB), text('out'), close()],
      'FIRE_AND_FORGET',
    ),
    read: readStream(),
  },
];
