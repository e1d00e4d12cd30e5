// Channel lifetime: the stale-channel sweep and a creator that leaves
// (notes §3.6), in both profiles.

import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileName } from '../engines/reference/policy.ts';
import {
  getJson,
  HttpRefusal,
  rawChannel,
  startTestBroker,
  type TestBroker,
  waitFor,
} from './helpers/reference-broker.ts';

let broker: TestBroker | undefined;

afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

describe.each(['compat', 'strict'] as const)('channel lifetime (%s)', (profile: ProfileName) => {
  it('sweeps channels with an unclaimed end after the TTL', async () => {
    broker = await startTestBroker({ profile, channelTtlMs: 150, sweepIntervalMs: 25 });
    const stale = await rawChannel(broker);
    const staleReader = await stale.open('read');
    const live = await rawChannel(broker);
    const liveWriter = await live.open('write');
    const liveReader = await live.open('read');
    const done = await rawChannel(broker);
    const doneWriter = await done.open('write');
    const doneReader = await done.open('read');
    doneWriter.ws.close(1000);
    await doneReader.closed;

    // A reader waiting on a writer that never came: EOF, abnormal in strict.
    const end = await staleReader.closed;
    expect(end.code).toBe(profile === 'strict' ? 1011 : 1005);
    await expect(stale.open('write')).rejects.toMatchObject({ status: 404 });

    // Both ends taken: never swept, whatever its age.
    await new Promise((r) => setTimeout(r, 200));
    expect(broker.channels.get(live.id)).toBeDefined();
    liveWriter.ws.send('still streaming');
    await waitFor(() => liveReader.frames.length === 1, 'a frame on the live channel');

    // The engine keeps finished channels (a small leak); strict lets them go.
    const finished = await getJson(broker, `channels/${done.id}`);
    expect(finished.status).toBe(profile === 'strict' ? 404 : 200);
    liveWriter.ws.close();
  });

  it('releases a departed creator’s half-connected channels only in strict', async () => {
    broker = await startTestBroker({ profile });
    const ch = await rawChannel(broker);
    const reader = await ch.open('read');
    ch.worker.ws.close();
    await ch.worker.closed;
    await waitFor(() => broker?.workers.sessions.size === 0, 'the creator to leave');

    if (profile === 'compat') {
      // channels::create records no owner, so nothing is freed (§3.6).
      expect(broker.channels.get(ch.id)).toBeDefined();
      const writer = await ch.open('write');
      writer.ws.send('late but fine');
      writer.ws.close(1000);
      await reader.closed;
      expect(reader.frames.map((f) => f.data.toString())).toEqual(['late but fine']);
    } else {
      expect((await reader.closed).code).toBe(1011);
      expect(broker.channels.get(ch.id)).toBeUndefined();
      const refused = await ch.open('write').catch((err: HttpRefusal) => err);
      expect(refused).toBeInstanceOf(HttpRefusal);
    }
  });
});
