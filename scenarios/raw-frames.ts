// Cases only the raw-frame writer can produce: frames over 64 KiB, empty
// frames, messages fragmented around control frames, invalid UTF-8 and
// sockets that end without a Close. Each pairs the raw writer with every
// reader of the run and with the raw reader, which shows what the engine
// itself delivered.
import type { RawOp } from '../harness/raw-peer/index.ts';
import { KiB, MiB, plan, readAll } from './plans.ts';
import type { Scenario } from './types.ts';

const seeded = (seed: string, length: number) => ({ seed, length });
const binaryFrame = (seed: string, length: number): RawOp => ({
  frame: { opcode: 'binary', payload: seeded(seed, length) },
});
const closeOp: RawOp = { close: {} };

function raw(
  s: Omit<Scenario, 'topology' | 'plan' | 'read' | 'tier'> & { tier?: Scenario['tier'] },
): Scenario {
  return { tier: 'quick', topology: { kind: 'pair' }, plan: plan([]), read: readAll, ...s };
}

export const rawFrameScenarios: Scenario[] = [
  raw({
    id: 'frames/raw-one-frame-1048577',
    family: 'frames',
    level: 'MUST',
    summary:
      'One binary frame of 1 MiB + 1 (SDK writers never send over 64 KiB) reaches every reader whole.',
    rawOps: [binaryFrame('raw/one-frame', MiB + 1), closeOp],
  }),
  raw({
    id: 'frames/raw-empty-frames',
    family: 'frames',
    level: 'MUST',
    summary: 'Empty binary frames between data frames change nothing about the bytes delivered.',
    rawOps: [
      binaryFrame('raw/empty-a', 1000),
      binaryFrame('raw/none', 0),
      binaryFrame('raw/empty-b', 1000),
      binaryFrame('raw/none', 0),
      closeOp,
    ],
  }),
  raw({
    id: 'frames/raw-fragmented-with-pings',
    family: 'frames',
    level: 'MUST',
    summary:
      'A binary message sent as continuation frames with pings between them arrives as the same bytes.',
    rawOps: [
      {
        fragmented: {
          kind: 'binary',
          pieces: [1000, 30_000, 7],
          controlBetween: 'ping',
          payload: seeded('raw/fragmented', 80_000),
        },
      },
      closeOp,
    ],
  }),
  raw({
    id: 'interleave/raw-text-split-in-code-point',
    family: 'interleave',
    level: 'MUST',
    summary:
      'A text fragmented inside a 4-byte character, a ping between the pieces, arrives as one intact text.',
    rawOps: [
      binaryFrame('raw/before-text', 100),
      {
        fragmented: {
          kind: 'text',
          pieces: [3, 2],
          controlBetween: 'ping',
          payload: { text: 'ab🚀cd𝄞' },
        },
      },
      closeOp,
    ],
  }),
  raw({
    id: 'interleave/raw-invalid-utf8',
    family: 'interleave',
    level: 'MUST',
    summary:
      'A text frame with invalid UTF-8 must not end as a clean stream: the reader has to learn that data was lost.',
    outcome: 'writer-dies',
    rawOps: [
      binaryFrame('raw/utf8-a', 1000),
      { invalidUtf8Text: {} },
      binaryFrame('raw/utf8-b', 1000),
      closeOp,
    ],
    timeoutMs: 8000,
  }),
  raw({
    id: 'lifecycle/raw-writer-ends-without-close',
    family: 'lifecycle',
    level: 'MUST',
    summary:
      'A writer socket that ends mid-stream without a Close frame must not look like a finished stream.',
    outcome: 'writer-dies',
    rawOps: [binaryFrame('raw/no-close', 256 * KiB), { end: { how: 'no-close' } }],
    timeoutMs: 8000,
  }),
  raw({
    id: 'lifecycle/raw-writer-reset',
    family: 'lifecycle',
    level: 'MUST',
    summary: 'A writer socket reset (TCP RST) mid-stream must not look like a finished stream.',
    outcome: 'writer-dies',
    rawOps: [binaryFrame('raw/reset', 256 * KiB), { end: { how: 'reset' } }],
    timeoutMs: 8000,
  }),
  ...[2 * MiB, 17 * MiB].map((size) =>
    raw({
      id: `limits/raw-binary-frame-${size}`,
      family: 'limits',
      level: 'INFO',
      tier: 'full',
      summary: `Records whether a reader accepts one binary frame of ${size / MiB} MiB (library limits differ).`,
      rawOps: [binaryFrame(`raw/limit-${size}`, size), closeOp],
      timeoutMs: 30_000,
    }),
  ),
];
