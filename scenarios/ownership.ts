// ownership: channels created by the producing worker rather than the
// orchestrator, with the reader ref passed on in the producer's own trigger,
// wherever in the payload a user might put it.
import { bytes, close, MiB, plan, readAll, text } from './plans.ts';
import type { RefPlacement, Scenario } from './types.ts';

const PLACEMENTS: { placement: RefPlacement; where: string; tier: 'core' | 'quick' }[] = [
  { placement: 'field', where: 'as a field of the payload', tier: 'core' },
  { placement: 'array', where: 'as an element of an array', tier: 'quick' },
  { placement: 'nested', where: 'two objects deep', tier: 'quick' },
  { placement: 'top', where: 'as the whole payload', tier: 'quick' },
];

export const ownershipScenarios: Scenario[] = PLACEMENTS.map(({ placement, where, tier }) => ({
  id: placement === 'field' ? 'ownership/producer-created' : `ownership/ref-${placement}`,
  family: 'ownership',
  level: 'MUST',
  summary: `A writer that creates the channel itself and passes the reader ref ${where} streams 1 MiB intact.`,
  tier,
  topology: { kind: 'pair' },
  ownership: 'producer',
  refPlacement: placement,
  plan: plan([text('made here'), bytes(`ownership/${placement}`, MiB), close()]),
  read: readAll,
}));
