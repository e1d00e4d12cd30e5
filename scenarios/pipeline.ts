// pipeline: a stream relayed through workers of other languages. Each hop
// reports what it read, so a failure names the hop where the bytes changed.
import { bytes, close, MiB, plan, readAll, text } from './plans.ts';
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
];
