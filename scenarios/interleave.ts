// interleave: text messages mixed with binary on one channel. A pass proves
// every text arrives once, intact and in order, the binary is unchanged and,
// where the scenario says so, each text sits at the same byte position as sent.
import { bytes, close, FRAME, MiB, plan, readAll, readStream, text } from './plans.ts';
import type { Scenario } from './types.ts';

const UNICODE = [
  '4-byte: 🚀🎉𝄞𠜎',
  'combining: e\u0301 a\u0308 n\u0303',
  'RTL: שלום עולם مرحبا',
  'NUL inside: a\u0000b',
];

const MIXED = [
  text('first'),
  bytes('interleave/a', FRAME + 1),
  text('middle 🚀'),
  bytes('interleave/b', 100),
  text('last'),
  close(),
];

const base = { family: 'interleave', topology: { kind: 'pair' } } as const;

export const interleaveScenarios: Scenario[] = [
  {
    ...base,
    id: 'interleave/text-between-binary',
    level: 'MUST',
    summary:
      'Texts before, between and after binary writes all arrive, in order, beside intact bytes.',
    tier: 'core',
    plan: plan(MIXED),
    read: readAll,
  },
  {
    ...base,
    id: 'interleave/unicode',
    level: 'MUST',
    summary:
      'Texts with 4-byte UTF-8, combining marks, right-to-left script and NUL survive unchanged.',
    tier: 'core',
    plan: plan([...UNICODE.flatMap((t, i) => [text(t), bytes(`unicode/${i}`, 1000)]), close()]),
    read: readAll,
  },
  {
    ...base,
    id: 'interleave/text-only',
    level: 'MUST',
    summary: 'A stream of texts and no binary at all ends cleanly with every text delivered.',
    tier: 'quick',
    plan: plan([text('only'), text('texts'), text('here ✓'), close()]),
    read: readAll,
  },
  {
    ...base,
    id: 'interleave/many-tiny-texts',
    level: 'MUST',
    summary:
      '500 one-character texts between binary writes arrive, none lost, merged or reordered.',
    tier: 'quick',
    plan: plan([
      ...Array.from({ length: 500 }, (_, i) => text(String.fromCharCode(0x41 + (i % 26)))),
      bytes('interleave/tiny', 1000),
      close(),
    ]),
    read: readAll,
  },
  {
    ...base,
    id: 'interleave/large-text-1048577',
    level: 'MUST',
    summary:
      'A single text of 1 MiB + 1 bytes arrives whole: text messages are never split by SDKs.',
    tier: 'quick',
    plan: plan([text('x', MiB + 1), bytes('interleave/after-large', 10), close()]),
    read: readAll,
  },
  {
    ...base,
    id: 'interleave/order-stream-read',
    level: 'SHOULD',
    summary:
      'Read chunk by chunk, each text is seen after exactly the bytes sent before it: the channel keeps one order.',
    tier: 'quick',
    checkTextOrder: true,
    plan: plan(MIXED),
    read: readStream(),
  },
  {
    ...base,
    id: 'interleave/order-fire-and-forget',
    level: 'MUST',
    summary:
      'Texts sent fire-and-forget between binary writes must not overtake the binary written before them.',
    tier: 'quick',
    checkTextOrder: true,
    plan: plan(MIXED, 'FIRE_AND_FORGET'),
    read: readStream(),
    timeoutMs: 8000,
  },
];
