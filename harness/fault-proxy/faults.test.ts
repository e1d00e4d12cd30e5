// The two faults issue 3 asks for, each aimed at one channel end: a peer
// that accepts TCP but never answers the upgrade, and a reset part way
// through a writer's bytes. Timeouts here are hang guards or the client's
// own give-up timer, never a measure of speed.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultProxy } from './fault-proxy.ts';
import { channelUrl, newAccessKey, newChannelId, openClient, roundTrip } from './test-clients.ts';
import { TestUpstream } from './test-upstream.ts';

let upstream: TestUpstream;
let proxy: FaultProxy;

beforeEach(async () => {
  upstream = await TestUpstream.start();
  proxy = await FaultProxy.start({ upstream: upstream.url });
});

afterEach(async () => {
  await proxy.stop();
  await upstream.stop();
});

describe('stall-upgrade', () => {
  it('holds the upgrade unanswered and never contacts the upstream', async () => {
    const id = newChannelId();
    const key = newAccessKey();
    proxy.addRule({ channelId: id, direction: 'write', action: { kind: 'stall-upgrade' } });

    const stalled = openClient(channelUrl(proxy.url, id, key, 'write'), 300);
    await expect(stalled).rejects.toThrow('Opening handshake has timed out');
    expect(await proxy.waitForEvent('closed by')).toBe(
      `[#1 ${id.slice(0, 8)}/write] closed by client, giving up on the stalled upgrade; ` +
        'bytes client→upstream 0, upstream→client 0',
    );
    expect(upstream.tcpConnections).toBe(0);
    expect(proxy.connections()).toMatchObject({ open: 0, accepted: 1, stalled: 1, upgraded: 0 });

    // The rule targets one end: the reader of the same channel goes through.
    const reader = await openClient(channelUrl(proxy.url, id, key, 'read'));
    expect(await roundTrip(reader, 'still here')).toBe('still here');
    reader.ws.close();
    expect(upstream.tcpConnections).toBe(1);
  });

  it('holds the socket until the proxy stops', async () => {
    const id = newChannelId();
    proxy.addRule({ channelId: id, direction: 'read', action: { kind: 'stall-upgrade' } });
    const stalled = openClient(channelUrl(proxy.url, id, newAccessKey(), 'read'), 60_000);
    await proxy.waitForEvent('stalled');

    await proxy.stop();
    await expect(stalled).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(proxy.eventsFor(id).at(-1)).toMatch(/closed by proxy stop; /);
  });
});

describe('reset-after', () => {
  it('resets both sockets once N bytes went client→upstream after the 101', async () => {
    const id = newChannelId();
    const budget = 40_000;
    proxy.addRule({
      channelId: id,
      direction: 'write',
      action: { kind: 'reset-after', bytes: budget },
    });
    const writer = await openClient(channelUrl(proxy.url, id, newAccessKey(), 'write'));
    writer.ws.send(randomBytes(1024 * 1024));

    // The client sees an abnormal close and a socket reset, as a worker would.
    expect(await writer.closed).toBe(1006);
    expect(writer.socketErrorCode()).toBe('ECONNRESET');

    // The upstream sees its socket reset, after at most N bytes.
    const served = upstream.sockets[0];
    await served.closed;
    expect(served.errorCode).toBe('ECONNRESET');
    expect(served.bytesAfterUpgrade).toBeGreaterThan(0);
    expect(served.bytesAfterUpgrade).toBeLessThanOrEqual(budget);

    const tag = `[#1 ${id.slice(0, 8)}/write]`;
    expect(await proxy.waitForEvent('closed by')).toMatch(
      new RegExp(`^\\${tag} closed by proxy reset after ${budget} bytes; `),
    );
    expect(proxy.eventsFor(id)).toContain(
      `${tag} reset both sockets after ${budget} bytes client→upstream`,
    );
    expect(proxy.connections()).toMatchObject({ open: 0, upgraded: 1, reset: 1 });
  });

  it('with 0 bytes, resets right after the client gets its 101', async () => {
    const id = newChannelId();
    proxy.addRule({ channelId: id, direction: 'read', action: { kind: 'reset-after', bytes: 0 } });
    const url = channelUrl(proxy.url, id, newAccessKey(), 'read');
    // The reset may land before or after ws reports the open; both are a dead reader.
    const code = await openClient(url).then(
      (reader) => reader.closed,
      () => 1006,
    );
    expect(code).toBe(1006);
    expect(await proxy.waitForEvent('reset both')).toMatch(/after 0 bytes/);
  });

  it('spares the other end of the same channel', async () => {
    const id = newChannelId();
    const key = newAccessKey();
    proxy.addRule({
      channelId: id,
      direction: 'write',
      action: { kind: 'reset-after', bytes: 10 },
    });
    const reader = await openClient(channelUrl(proxy.url, id, key, 'read'));
    const payload = randomBytes(256 * 1024);
    expect(Buffer.compare((await roundTrip(reader, payload)) as Buffer, payload)).toBe(0);
    reader.ws.close();
    await reader.closed;
    expect(proxy.connections().reset).toBe(0);
  });
});

describe('rules', () => {
  it('stop applying once removed', async () => {
    const id = newChannelId();
    const key = newAccessKey();
    const removeReset = proxy.addRule({
      channelId: id,
      direction: 'write',
      action: { kind: 'reset-after', bytes: 1 },
    });
    removeReset();
    removeReset();
    const removeStall = proxy.addRule({
      channelId: id,
      direction: 'read',
      action: { kind: 'stall-upgrade' },
    });
    removeStall();

    const writer = await openClient(channelUrl(proxy.url, id, key, 'write'));
    const reader = await openClient(channelUrl(proxy.url, id, key, 'read'));
    const payload = randomBytes(512 * 1024);
    expect(Buffer.compare((await roundTrip(writer, payload)) as Buffer, payload)).toBe(0);
    expect(await roundTrip(reader, 'text')).toBe('text');
    writer.ws.close();
    reader.ws.close();
    await Promise.all([writer.closed, reader.closed]);
    expect(proxy.connections()).toMatchObject({ stalled: 0, reset: 0, upgraded: 2 });
  });

  it('refuses bad rules and a second rule on one end, listing what is valid', () => {
    const id = newChannelId();
    const bad = (rule: unknown) => () =>
      proxy.addRule(rule as Parameters<FaultProxy['addRule']>[0]);
    expect(bad({ channelId: id, direction: 'both', action: { kind: 'stall-upgrade' } })).toThrow(
      /direction must be one of read, write/,
    );
    expect(bad({ channelId: id, direction: 'read', action: { kind: 'drop' } })).toThrow(
      /one of stall-upgrade, reset-after/,
    );
    expect(
      bad({ channelId: id, direction: 'read', action: { kind: 'reset-after', bytes: -1 } }),
    ).toThrow(/non-negative integer/);
    expect(bad({ channelId: 'a/b', direction: 'read', action: { kind: 'stall-upgrade' } })).toThrow(
      /channelId/,
    );
    proxy.addRule({ channelId: id, direction: 'read', action: { kind: 'stall-upgrade' } });
    expect(bad({ channelId: id, direction: 'read', action: { kind: 'stall-upgrade' } })).toThrow(
      expect.objectContaining({ code: 'RULE_CONFLICT' }),
    );
  });
});
