// Channel endpoint behaviour with raw WebSocket clients, in both profiles.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileName } from '../engines/reference/policy.ts';
import {
  getJson,
  HttpRefusal,
  openChannel,
  patternBytes,
  rawChannel,
  sha256,
  startTestBroker,
  type TestBroker,
  waitFor,
} from './helpers/reference-broker.ts';

const brokers = {} as Record<ProfileName, TestBroker>;

beforeAll(async () => {
  brokers.compat = await startTestBroker({ profile: 'compat' });
  brokers.strict = await startTestBroker({ profile: 'strict' });
});

afterAll(async () => {
  await Promise.all(Object.values(brokers).map((b) => b.close()));
});

function refusal(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected the connect to be refused');
    },
    (err: unknown) => {
      if (err instanceof HttpRefusal) return { status: err.status, body: err.body };
      throw err;
    },
  );
}

const sent = (w: { ws: import('ws').WebSocket }, data: Buffer | string, binary = true) =>
  new Promise<void>((resolve, reject) =>
    w.ws.send(data, { binary }, (err) => (err ? reject(err) : resolve())),
  );

describe.each(['compat', 'strict'] as const)('channels (%s)', (profile) => {
  const normalEnd = profile === 'strict' ? 1000 : 1005;

  it('passes frames through unchanged, including empty and >64 KiB ones', async () => {
    const broker = brokers[profile];
    const ch = await rawChannel(broker, 4);
    const writer = await ch.open('write');
    const big = patternBytes(100_000);
    await sent(writer, 'héllo 𝄞', false);
    await sent(writer, Buffer.alloc(0));
    await sent(writer, big);
    await sent(writer, '', false);
    writer.ws.close(1000);
    await writer.closed;

    // The reader connects after the writer finished: data, then the end.
    const reader = await ch.open('read');
    const end = await reader.closed;
    expect(reader.frames.map((f) => [f.binary, f.data.length])).toEqual([
      [false, 'héllo 𝄞'.length + 3],
      [true, 0],
      [true, 100_000],
      [false, 0],
    ]);
    expect(sha256(reader.frames[2]?.data ?? Buffer.alloc(0))).toBe(sha256(big));
    expect(end.code).toBe(normalEnd);
  });

  it('refuses a wrong key with 404 and a bad query with 400 before upgrading', async () => {
    const broker = brokers[profile];
    const ch = await rawChannel(broker);
    const wrongKey = openChannel(broker.wsUrl, ch.id, crypto.randomUUID(), 'read');
    expect(await refusal(wrongKey)).toEqual({ status: 404, body: 'Channel not found' });
    const unknown = openChannel(
      broker.wsUrl,
      crypto.randomUUID(),
      ch.refs.reader.access_key,
      'read',
    );
    expect((await refusal(unknown)).status).toBe(404);
    const badDir = openChannel(broker.wsUrl, ch.id, ch.refs.reader.access_key, 'READ');
    expect((await refusal(badDir)).status).toBe(400);
  });

  it('handles a second connect to a taken end per profile', async () => {
    const broker = brokers[profile];
    const ch = await rawChannel(broker);
    const first = await ch.open('read');
    if (profile === 'compat') {
      const second = await ch.open('read');
      expect(await second.closed).toMatchObject({ code: 1005 });
      expect(second.frames).toHaveLength(0);
    } else {
      expect(await refusal(ch.open('read'))).toMatchObject({ status: 409 });
    }
    first.ws.close();
  });

  it('handles a connect after the stream finished per profile', async () => {
    const broker = brokers[profile];
    const ch = await rawChannel(broker);
    const writer = await ch.open('write');
    const reader = await ch.open('read');
    writer.ws.close(1000);
    await reader.closed;
    await waitFor(() => broker.channels.get(ch.id)?.finishedAt, 'the channel to finish');
    if (profile === 'compat') {
      const late = await ch.open('read');
      expect((await late.closed).code).toBe(1005);
    } else {
      expect((await refusal(ch.open('write'))).status).toBe(410);
    }
  });

  it('checks dir against the ref only in strict', async () => {
    const broker = brokers[profile];
    const ch = await rawChannel(broker);
    const misuse = openChannel(broker.wsUrl, ch.id, ch.refs.reader.access_key, 'write');
    if (profile === 'compat') {
      expect(ch.refs.reader.access_key).toBe(ch.refs.writer.access_key);
      (await misuse).ws.close();
    } else {
      expect(ch.refs.reader.access_key).not.toBe(ch.refs.writer.access_key);
      expect((await refusal(misuse)).status).toBe(403);
    }
  });

  it('shows a writer that drops mid-stream per profile', async () => {
    const broker = brokers[profile];
    const ch = await rawChannel(broker);
    const reader = await ch.open('read');
    const writer = await ch.open('write');
    for (let i = 0; i < 3; i++) await sent(writer, patternBytes(1000, `f${i}`));
    await waitFor(() => reader.frames.length === 3, 'three frames at the reader');
    writer.ws.terminate();

    const end = await reader.closed;
    expect(reader.frames).toHaveLength(3);
    if (profile === 'compat') expect(end.code).toBe(1005);
    else expect(end.code).toBe(1011);
  });

  it.each(['close', 'drop'] as const)(
    'tells the writer when the reader leaves (%s)',
    async (how) => {
      const broker = brokers[profile];
      const ch = await rawChannel(broker, 2);
      const reader = await ch.open('read');
      const writer = await ch.open('write');
      await sent(writer, Buffer.from('one'));
      await waitFor(() => reader.frames.length === 1, 'first frame');
      if (how === 'close') reader.ws.close(1000);
      else reader.ws.terminate();
      await reader.closed;
      await waitFor(() => broker.channels.get(ch.id)?.readerState === 'done', 'reader gone');

      if (profile === 'strict') {
        expect((await writer.closed).code).toBe(1011);
        return;
      }
      // compat: the engine learns that the reader left only when a send to it
      // fails, and then drops the writer without a Close; the reader's socket
      // is gone by now whether it closed or dropped, so the next send fails.
      for (let i = 0; i < 5 && writer.ws.readyState === writer.ws.OPEN; i++) {
        writer.ws.send(patternBytes(1000, `after${i}`));
        await new Promise((r) => setTimeout(r, 10));
      }
      expect((await writer.closed).code).toBe(1006);
    },
  );

  it('applies backpressure: the queue never exceeds buffer_size', async () => {
    const broker = brokers[profile];
    const ch = await rawChannel(broker, 4);
    const writer = await ch.open('write');
    const frames = Array.from({ length: 400 }, (_, i) => patternBytes(64 * 1024, `bp${i}`));
    for (const f of frames) writer.ws.send(f);

    // Nobody reads: the broker pauses the writer and the rest stays in the
    // writer's own buffers (kernel and ws), not in the broker.
    const channel = broker.channels.get(ch.id);
    await waitFor(() => channel?.writerPaused, 'the writer to be paused');
    await new Promise((r) => setTimeout(r, 200));
    expect(channel?.queuedItems).toBe(4);
    expect(writer.ws.bufferedAmount).toBeGreaterThan(0);
    const diag = await getJson(broker, `channels/${ch.id}`);
    expect(diag.body.peakQueuedItems).toBe(4);
    expect(diag.body.peakQueuedBytes).toBeLessThanOrEqual(4 * 64 * 1024);
    expect(diag.body.itemsIn).toBeLessThan(400);

    const reader = await ch.open('read');
    writer.ws.close(1000);
    await reader.closed;
    expect(reader.frames).toHaveLength(400);
    const got = sha256(Buffer.concat(reader.frames.map((f) => f.data)));
    expect(got).toBe(sha256(Buffer.concat(frames)));
    expect(channel?.stats.peakQueuedItems).toBe(4);
  });
});
