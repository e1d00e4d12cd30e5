// The catalogue: every family's scenarios in one list, ids unique and stable.
import { backpressureScenarios } from './backpressure.ts';
import { framesScenarios } from './frames.ts';
import { interleaveScenarios } from './interleave.ts';
import { lifecycleScenarios } from './lifecycle.ts';
import { limitsScenarios } from './limits.ts';
import { ownershipScenarios } from './ownership.ts';
import { pipelineScenarios } from './pipeline.ts';
import { rawFrameScenarios } from './raw-frames.ts';
import type { Scenario, Tier } from './types.ts';

export const SCENARIOS: readonly Scenario[] = [
  ...framesScenarios,
  ...interleaveScenarios,
  ...backpressureScenarios,
  ...pipelineScenarios,
  ...lifecycleScenarios,
  ...ownershipScenarios,
  ...limitsScenarios,
  ...rawFrameScenarios,
];

const ids = new Set<string>();
for (const s of SCENARIOS) {
  if (ids.has(s.id)) throw new Error(`Internal error: duplicate scenario id ${s.id}`);
  ids.add(s.id);
}

const DEFAULT_PROFILES: Record<Tier, readonly Tier[]> = {
  core: ['core', 'quick', 'full'],
  quick: ['quick', 'full'],
  full: ['full'],
};

/** Scenarios a profile runs: full runs all, the others what is tagged for them. */
export function scenariosFor(profile: Tier): Scenario[] {
  return SCENARIOS.filter((s) => (s.profiles ?? DEFAULT_PROFILES[s.tier]).includes(profile));
}
