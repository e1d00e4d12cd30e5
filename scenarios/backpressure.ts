// backpressure: writers faster than their readers, through buffers of every
// size. A pass proves flow control loses and reorders nothing, whatever the
// buffer and however late or slow the reader.
import { bytes, close, FRAME, MiB, plan, readAll, readStream, text } from './plans.ts';
import type { Scenario } from './types.ts';

const base = { family: 'backpressure', level: 'MUST', topology: { kind: 'pair' } } as const;

const burst = (seed: string, size: number) =>
  plan([text('begin'), bytes(seed, size), text('end'), close()]);

export const backpressureScenarios: Scenario[] = [
  {
    ...base,
    id: 'backpressure/buffer-1-slow-reader',
    summary:
      'With buffer_size 1 and a reader that sleeps 10 ms per chunk, 2 MiB and texts arrive intact.',
    tier: 'core',
    bufferSize: 1,
    plan: burst('backpressure/slow', 2 * MiB),
    read: readStream({ chunk_delay_ms: 10 }),
  },
  {
    ...base,
    id: 'backpressure/buffer-64',
    summary: 'The engine default buffer of 64 messages carries 8 MiB, twice its capacity, intact.',
    tier: 'full',
    bufferSize: 64,
    plan: burst('backpressure/64', 8 * MiB),
    read: readAll,
  },
  {
    ...base,
    id: 'backpressure/buffer-1024',
    summary: 'The largest buffer (1,024 messages) carries 8 MiB intact.',
    tier: 'full',
    bufferSize: 1024,
    plan: burst('backpressure/1024', 8 * MiB),
    read: readAll,
  },
  {
    ...base,
    id: 'backpressure/reader-starts-3s-late',
    summary:
      'A reader that connects 3 s after the writer started gets all 8 MiB: the writer waits, nothing drops.',
    tier: 'full',
    plan: burst('backpressure/late', 8 * MiB),
    read: { style: 'READ_ALL', texts: true, start_delay_ms: 3000 },
  },
  {
    ...base,
    id: 'backpressure/reader-100x-slower',
    summary:
      'A reader sleeping 20 ms per chunk (about 100 times slower than the writer) loses nothing of 4 MiB.',
    tier: 'full',
    bufferSize: 4,
    plan: burst('backpressure/slower', 4 * MiB),
    read: readStream({ chunk_delay_ms: 20 }),
    timeoutMs: 60_000,
  },
  {
    ...base,
    id: 'backpressure/paused-reader-64-queued',
    summary:
      'With 64 full 64 KiB messages queued behind a reader that waits 2 s, all of them arrive in order.',
    tier: 'quick',
    bufferSize: 64,
    plan: plan([bytes('backpressure/queued', 64 * FRAME), text('after the queue'), close()]),
    read: { style: 'READ_ALL', texts: true, start_delay_ms: 2000 },
  },
  {
    ...base,
    id: 'backpressure/engine-memory-bounded',
    summary:
      'While the reader waits 3 s, a writer pushing 64 MiB through a 64-message buffer leaves the engine under 32 MiB larger: it holds the writer back instead of buffering.',
    tier: 'full',
    bufferSize: 64,
    plan: burst('backpressure/memory', 64 * MiB),
    read: readStream({ start_delay_ms: 3000 }),
    engineMemoryBoundMiB: 32,
    // The engine's memory is the point; every SDK reader already reads 64 MiB in frames/.
    readers: 'raw',
    timeoutMs: 120_000,
    // Alone, so the engine's growth is this cell's and not its neighbours'.
    alone: true,
  },
];
