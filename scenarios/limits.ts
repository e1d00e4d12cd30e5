// limits: the largest messages each SDK reader accepts, recorded (INFO) and
// compared across SDKs. A text is always one WebSocket message, so these
// sizes reach readers whole; binary limits need the raw-frame writer.
import { bytes, close, MiB, plan, readAll, text } from './plans.ts';
import type { Scenario } from './types.ts';

const TEXT_SIZES = [4 * MiB, 17 * MiB];

export const limitsScenarios: Scenario[] = TEXT_SIZES.map((size) => ({
  id: `limits/text-${size}`,
  family: 'limits',
  level: 'INFO',
  summary: `Records whether a reader accepts one text message of ${size / MiB} MiB (library limits differ).`,
  tier: 'full',
  topology: { kind: 'pair' },
  plan: plan([text('L', size), bytes(`limits/${size}`, 1), close()]),
  read: readAll,
  timeoutMs: 40_000,
}));
