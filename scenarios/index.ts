// The catalogue: every family's scenarios in one list, ids unique and stable.
import { backpressureScenarios } from './backpressure.ts';
import { framesScenarios } from './frames.ts';
import { interleaveScenarios } from './interleave.ts';
import { lifecycleScenarios } from './lifecycle.ts';
import { ownershipScenarios } from './ownership.ts';
import { pipelineScenarios } from './pipeline.ts';
import type { Scenario, Tier } from './types.ts';

export const SCENARIOS: readonly Scenario[] = [
  ...framesScenarios,
  ...interleaveScenarios,
  ...backpressureScenarios,
  ...pipelineScenarios,
  ...lifecycleScenarios,
  ...ownershipScenarios,
];

const ids = new Set<string>();
for (const s of SCENARIOS) {
  if (ids.has(s.id)) throw new Error(`Internal error: duplicate scenario id ${s.id}`);
  ids.add(s.id);
}

const TIER_RANK: Record<Tier, number> = { core: 0, quick: 1, full: 2 };

/** Scenarios a profile runs: core runs core, quick adds quick, full runs all. */
export function scenariosFor(profile: Tier): Scenario[] {
  return SCENARIOS.filter((s) => TIER_RANK[s.tier] <= TIER_RANK[profile]);
}
