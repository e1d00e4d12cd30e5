// lifecycle: what happens at the edges of a channel's life. A pass proves the
// user sees an error where something is wrong, never a clean empty stream.
import { bytes, close, KiB, plan, readAll } from './plans.ts';
import type { Scenario } from './types.ts';

export const lifecycleScenarios: Scenario[] = [
  {
    id: 'lifecycle/wrong-key-reader',
    family: 'lifecycle',
    level: 'MUST',
    summary:
      'A reader holding a ref with a wrong access key is refused with an error, not given a stream.',
    tier: 'core',
    topology: { kind: 'pair' },
    fault: { kind: 'wrong-key', side: 'reader' },
    plan: plan([bytes('lifecycle/wrong-key', KiB), close()]),
    read: readAll,
    timeoutMs: 10000,
  },
];
