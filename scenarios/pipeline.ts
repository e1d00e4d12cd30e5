// pipeline: a stream relayed through a worker of another language. Each hop
// reports what it read, so a failure names the hop where the bytes changed.
import { bytes, close, MiB, plan, readAll, text } from './plans.ts';
import type { Scenario } from './types.ts';

export const pipelineScenarios: Scenario[] = [
  {
    id: 'pipeline/three-languages',
    family: 'pipeline',
    level: 'MUST',
    summary:
      'Writer, relay and reader in three languages (every rotation) pass 1 MiB + 1 and texts on intact.',
    tier: 'core',
    topology: { kind: 'pipeline', relays: 1 },
    plan: plan([text('hop'), bytes('pipeline/three', MiB + 1), text('done ✓'), close()]),
    read: readAll,
  },
];
