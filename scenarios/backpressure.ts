// backpressure: a writer faster than its reader through a small buffer. A pass
// proves flow control loses and reorders nothing.
import { bytes, close, MiB, plan, readStream, text } from './plans.ts';
import type { Scenario } from './types.ts';

export const backpressureScenarios: Scenario[] = [
  {
    id: 'backpressure/buffer-1-slow-reader',
    family: 'backpressure',
    level: 'MUST',
    summary:
      'With buffer_size 1 and a reader that sleeps 10 ms per chunk, 2 MiB and texts arrive intact.',
    tier: 'core',
    topology: { kind: 'pair' },
    bufferSize: 1,
    plan: plan([text('begin'), bytes('backpressure/slow', 2 * MiB), text('end'), close()]),
    read: readStream({ chunk_delay_ms: 10 }),
  },
];
