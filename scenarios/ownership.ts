// ownership: channels created by the producing worker rather than the
// orchestrator, with the reader ref passed on in the producer's own trigger.
import { bytes, close, MiB, plan, readAll, text } from './plans.ts';
import type { Scenario } from './types.ts';

export const ownershipScenarios: Scenario[] = [
  {
    id: 'ownership/producer-created',
    family: 'ownership',
    level: 'MUST',
    summary:
      'A writer that creates the channel itself and passes the reader ref on streams 1 MiB intact.',
    tier: 'core',
    topology: { kind: 'pair' },
    ownership: 'producer',
    refPlacement: 'field',
    plan: plan([text('made here'), bytes('ownership/producer', MiB), close()]),
    read: readAll,
  },
];
