// One plan on several writers (WriteRequest.fanout), on fake writers: the
// order of SDK calls across writers, one writer failing alone, and the two
// styles' different reaction to a writer that never drains.
import { describe, expect, it } from 'vitest';
import { runFanout } from '../src/plan.ts';
import type { Op, WriteRequest } from '../src/requests.ts';
import { expectedFor } from './support/expectation.ts';
import { CountingDeadline, context, fakeWriter, type WriteFault } from './support/fakes.ts';

const OPS: Op[] = [
  { kind: 'bytes', bytes: { seed: 'fan', offset: 0, length: 10, chunk: 4 } },
  { kind: 'text', text: { value: 'mid', repeat: 0 } },
  { kind: 'pause', pause: { ms: 1 } },
  { kind: 'close' },
];
const want = expectedFor([
  { bytes: { seed: 'fan', length: 10, chunk: 4 } },
  { text: { value: 'mid' } },
  { close: {} },
]);

function writers(faults: WriteFault[], calls: string[]) {
  return faults.map((fault, i) => fakeWriter(i === 0 ? 'w1' : `w${i + 1}`, calls, fault));
}

const plan = (style: WriteRequest['plan']['style'], ops = OPS) => ({ style, ops });

describe('fan-out plans', () => {
  it('AWAITED: each call goes to every writer in order before the next', async () => {
    const calls: string[] = [];
    const digests = await runFanout(
      writers(['none', 'none', 'none'], calls),
      plan('AWAITED'),
      context(),
    );
    const each = (call: string) => ['w1', 'w2', 'w3'].map((w) => `${w} ${call}`);
    expect(calls).toEqual([
      ...each('write 4'),
      ...each('write 4'),
      ...each('write 2'),
      ...each('text mid'),
      ...each('end'),
    ]);
    for (const d of digests) {
      expect(d).toMatchObject({ role: 'writer', end: 'closed', bytes: 10, sha256: want.sha256 });
      expect(d.texts).toEqual(want.texts);
      expect(d.chunks).toBe(3);
    }
  });

  it('pauses the source once, not once per writer', async () => {
    const deadline = new CountingDeadline(5000);
    await runFanout(writers(['none', 'none', 'none'], []), plan('AWAITED'), context(deadline));
    expect(deadline.sleeps).toBe(1);
  });

  it.each(['AWAITED', 'FIRE_AND_FORGET'] as const)(
    '%s: a failing writer ends its own digest with an error; the others go on',
    async (style) => {
      const calls: string[] = [];
      const ws = writers(['none', 'fail', 'none'], calls);
      const [first, failed, third] = await runFanout(ws, plan(style), context());
      for (const d of [first, third]) {
        expect(d).toMatchObject({ end: 'closed', bytes: 10, sha256: want.sha256 });
        expect(d.texts).toEqual(want.texts);
      }
      expect(failed.end).toBe('error');
      // Fire-and-forget hears of it on the 'error' event, after it moved on.
      if (style === 'AWAITED') expect(failed.error?.stage).toBe('write');
      expect(failed.error?.message).toContain('w2 refused the write');
      expect(calls).toContain('w3 end');
    },
  );

  it('FIRE_AND_FORGET: a writer that never drains holds nobody back', async () => {
    const calls: string[] = [];
    const ws = writers(['none', 'stall', 'none'], calls);
    const digests = await runFanout(ws, plan('FIRE_AND_FORGET'), context());
    expect(digests.map((d) => d.end)).toEqual(['closed', 'closed', 'closed']);
    expect(calls).toEqual(expect.arrayContaining(['w1 end', 'w3 end', 'w2 text mid']));
    // The stalled Writable keeps its later chunks (and its end) queued.
    expect(calls.filter((c) => c.startsWith('w2 write'))).toEqual(['w2 write 4']);
  });

  it('AWAITED: a writer that never drains holds every writer until the deadline', async () => {
    const calls: string[] = [];
    const ws = writers(['none', 'stall', 'none'], calls);
    const digests = await runFanout(ws, plan('AWAITED'), context(new CountingDeadline(300)));
    expect(digests.map((d) => d.end)).toEqual(['timeout', 'timeout', 'timeout']);
    // Each awaited in turn: w3 never got its first write, and all were closed.
    expect(calls).toEqual(['w1 write 4', 'w2 write 4', 'w1 close', 'w2 close', 'w3 close']);
  });

  it('abort drops every writer', async () => {
    const calls: string[] = [];
    const ops: Op[] = [OPS[0], { kind: 'abort' }];
    const digests = await runFanout(
      writers(['none', 'none'], calls),
      plan('AWAITED', ops),
      context(),
    );
    expect(digests.map((d) => d.end)).toEqual(['aborted', 'aborted']);
    expect(calls.slice(-2)).toEqual(['w1 destroy', 'w2 destroy']);
  });

  it('a plan without close leaves every writer open', async () => {
    const ops: Op[] = [OPS[0], OPS[1]];
    const digests = await runFanout(writers(['none', 'none'], []), plan('AWAITED', ops), context());
    expect(digests.map((d) => d.end)).toEqual(['open', 'open']);
  });
});
