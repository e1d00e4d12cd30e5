// interleave: text messages mixed with binary on one channel. A pass proves
// every text arrives once, intact and in order, and the binary is unchanged.
import { bytes, close, FRAME, plan, readAll, text } from './plans.ts';
import type { Scenario } from './types.ts';

const UNICODE = [
  '4-byte: 🚀🎉𝄞𠜎',
  'combining: e\u0301 a\u0308 n\u0303',
  'RTL: שלום עולם مرحبا',
  'NUL inside: a\u0000b',
];

export const interleaveScenarios: Scenario[] = [
  {
    id: 'interleave/text-between-binary',
    family: 'interleave',
    level: 'MUST',
    summary:
      'Texts before, between and after binary writes all arrive, in order, beside intact bytes.',
    tier: 'core',
    topology: { kind: 'pair' },
    plan: plan([
      text('first'),
      bytes('interleave/a', FRAME + 1),
      text('middle 🚀'),
      bytes('interleave/b', 100),
      text('last'),
      close(),
    ]),
    read: readAll,
  },
  {
    id: 'interleave/unicode',
    family: 'interleave',
    level: 'MUST',
    summary:
      'Texts with 4-byte UTF-8, combining marks, right-to-left script and NUL survive unchanged.',
    tier: 'core',
    topology: { kind: 'pair' },
    plan: plan([...UNICODE.flatMap((t, i) => [text(t), bytes(`unicode/${i}`, 1000)]), close()]),
    read: readAll,
  },
];
