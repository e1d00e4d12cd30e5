// lifecycle: what happens at the edges of a channel's life. The user's view
// is the rule: never a clean end with missing, duplicated or reordered bytes,
// never a hang past the deadline, and an error on the side that should know.
import { bytes, close, KiB, MiB, pause, plan, readAll, readStream, text } from './plans.ts';
import type { Scenario } from './types.ts';

const base = { family: 'lifecycle', topology: { kind: 'pair' } } as const;
const small = (seed: string) => plan([text('hello'), bytes(seed, 4 * KiB), close()]);

export const lifecycleScenarios: Scenario[] = [
  {
    ...base,
    id: 'lifecycle/wrong-key-reader',
    level: 'MUST',
    summary:
      'A reader holding a ref with a wrong access key is refused with an error, not given a stream.',
    tier: 'core',
    fault: { kind: 'wrong-key', side: 'reader' },
    plan: plan([bytes('lifecycle/wrong-key', KiB), close()]),
    read: readAll,
    timeoutMs: 10_000,
  },
  {
    ...base,
    id: 'lifecycle/wrong-key-writer',
    level: 'MUST',
    summary:
      'A writer holding a ref with a wrong access key fails with an error instead of writing into nothing.',
    tier: 'quick',
    fault: { kind: 'wrong-key', side: 'writer' },
    plan: plan([bytes('lifecycle/wrong-key-w', KiB), close()]),
    read: readAll,
    timeoutMs: 10_000,
  },
  {
    ...base,
    id: 'lifecycle/second-reader',
    level: 'MUST',
    summary:
      'A second reader on an end that is already taken is refused; it must not see a clean empty stream.',
    tier: 'quick',
    fault: { kind: 'second-reader', delayMs: 500 },
    plan: plan([
      bytes('lifecycle/second', 64 * KiB),
      pause(1500),
      bytes('lifecycle/second-b', 100),
      close(),
    ]),
    read: readAll,
    timeoutMs: 12_000,
  },
  {
    ...base,
    id: 'lifecycle/ref-reused-after-finish',
    level: 'MUST',
    summary:
      'A reader ref used again after its stream finished is refused, not shown an empty stream.',
    tier: 'quick',
    fault: { kind: 'reuse-after-finish' },
    plan: small('lifecycle/reuse'),
    read: readAll,
  },
  {
    ...base,
    id: 'lifecycle/reader-first',
    level: 'MUST',
    summary: 'A reader that connects half a second before the writer starts gets the whole stream.',
    tier: 'quick',
    plan: plan([
      pause(500),
      text('late writer'),
      bytes('lifecycle/reader-first', 64 * KiB + 1),
      close(),
    ]),
    read: readAll,
  },
  {
    ...base,
    id: 'lifecycle/reader-after-writer-closed',
    level: 'MUST',
    summary:
      'A reader that connects 1.5 s after the writer closed still gets every queued byte and text, then the end.',
    tier: 'quick',
    plan: small('lifecycle/after-close'),
    read: { style: 'READ_ALL', texts: true, start_delay_ms: 1500 },
  },
  {
    ...base,
    id: 'lifecycle/writer-never-writes',
    level: 'MUST',
    summary:
      'A writer that closes without writing anything ends the reader cleanly with an empty stream.',
    tier: 'quick',
    plan: plan([close()]),
    read: readAll,
    timeoutMs: 3000,
  },
  {
    ...base,
    id: 'lifecycle/text-callback-only',
    level: 'MUST',
    summary:
      'A reader that registers only a text callback (it wants messages, not bytes) gets every text the writer sends.',
    tier: 'quick',
    plan: plan([text('status: started'), text('status: 50%'), text('status: done ✓'), close()]),
    read: { style: 'TEXTS_ONLY' },
    // The reader waits for its three texts or this deadline; nothing else ends it.
    timeoutMs: 6000,
  },
  {
    ...base,
    id: 'lifecycle/writer-process-exits',
    level: 'MUST',
    summary:
      'When the writer process dies mid-stream the reader must get an error, not a clean but short stream.',
    tier: 'quick',
    outcome: 'writer-dies',
    plan: plan([
      text('before'),
      bytes('lifecycle/exit', 256 * KiB),
      pause(300),
      { exit: { code: 3 } },
    ]),
    read: readAll,
    timeoutMs: 12_000,
  },
  {
    ...base,
    id: 'lifecycle/engine-restarts',
    level: 'MUST',
    summary:
      'When the engine restarts mid-stream both ends get an error within seconds and every worker registers again by itself.',
    tier: 'full',
    fault: { kind: 'engine-restart', afterMs: 1000 },
    plan: plan([
      text('before'),
      bytes('lifecycle/restart', 256 * KiB, 64 * KiB),
      pause(2500),
      bytes('lifecycle/restart-b', 256 * KiB, 64 * KiB),
      text('after'),
      close(),
    ]),
    read: readStream(),
    timeoutMs: 15_000,
  },
  {
    ...base,
    id: 'lifecycle/stale-channel-swept',
    level: 'MUST',
    summary:
      'A channel whose reader never came is swept after its TTL (1 s here): its waiting writer gets an error and a late reader is refused.',
    tier: 'quick',
    fault: { kind: 'channel-ttl', ttlMs: 1000 },
    plan: plan([
      bytes('lifecycle/swept', 8 * KiB),
      pause(2500),
      bytes('lifecycle/swept-b', 8 * KiB),
      close(),
    ]),
    read: { style: 'READ_ALL', texts: true, start_delay_ms: 2000 },
    timeoutMs: 10_000,
  },
  {
    ...base,
    id: 'lifecycle/writer-reset-via-proxy',
    level: 'MUST',
    summary:
      'A writer whose socket is reset on the way (a loopback proxy sends RSTs after 256 KiB) fails, and its reader gets an error, not a clean short stream.',
    tier: 'quick',
    fault: { kind: 'proxy-reset', afterBytes: 256 * KiB },
    // The pause lets the reset land before close() is called, so a writer that
    // reports a clean close has ignored a dead socket, not raced it.
    plan: plan([
      text('before'),
      bytes('lifecycle/proxy-reset', MiB, 64 * KiB),
      pause(500),
      close(),
    ]),
    read: readStream(),
    timeoutMs: 15_000,
  },
  {
    ...base,
    id: 'lifecycle/reader-upgrade-never-answered',
    level: 'MUST',
    summary:
      'A reader whose channel connection is accepted but never upgraded gives up with an error of its own before the 18 s deadline.',
    tier: 'full',
    fault: { kind: 'stalled-upgrade', side: 'reader' },
    plan: small('lifecycle/stalled-reader'),
    read: readAll,
    timeoutMs: 20_000,
  },
  {
    ...base,
    id: 'lifecycle/writer-upgrade-never-answered',
    level: 'MUST',
    summary:
      'A writer whose channel connection is accepted but never upgraded gives up with an error of its own before the 18 s deadline.',
    tier: 'full',
    fault: { kind: 'stalled-upgrade', side: 'writer' },
    plan: small('lifecycle/stalled-writer'),
    read: readAll,
    timeoutMs: 20_000,
  },
  {
    ...base,
    id: 'lifecycle/reader-closes-early',
    level: 'MUST',
    summary:
      'When the reader closes after 256 KiB of 32 MiB, the writer gets an error within the deadline.',
    // Runs alone and waits out the Python reader's 10 s close: too slow for
    // pull requests, so it lives in the full profile.
    tier: 'full',
    outcome: 'reader-stops',
    // More than loopback socket buffers can hide, or a writer could finish
    // into them and report success without anyone noticing the reader left.
    bufferSize: 1,
    plan: plan([bytes('lifecycle/early', 32 * MiB), close()]),
    read: readStream({ stop_after_bytes: 256 * KiB }),
    // Whether a writer learns in time depends on socket buffers and how fast
    // each side runs; alone and with room, the outcome is the SDKs', not load's.
    timeoutMs: 30_000,
    alone: true,
  },
];
