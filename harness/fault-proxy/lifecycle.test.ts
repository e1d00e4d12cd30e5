// Starting, stopping, and what the proxy must never do: forward to a host
// off this machine, or write an access key into its evidence.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FaultProxy } from './fault-proxy.ts';
import { channelUrl, newAccessKey, newChannelId, openClient, roundTrip } from './test-clients.ts';
import { TestUpstream } from './test-upstream.ts';
import { isLoopbackHost } from './upstream.ts';

describe('upstream check', () => {
  it.each([
    'ws://10.0.0.1:49134',
    'ws://192.168.1.10:80',
    'ws://169.254.169.254',
    'ws://example.com:80',
    'ws://0.0.0.0:49134',
    'ws://[::2]:49134',
    'ws://[::ffff:7f00:1]:49134',
    'ws://127.0.0.1.example.com:1',
  ])('refuses %s before listening or connecting', async (url) => {
    await expect(FaultProxy.start({ upstream: `${url}/?key=SECRET-KEY` })).rejects.toThrow(
      expect.objectContaining({
        code: 'NON_LOOPBACK_UPSTREAM',
        message: expect.stringMatching(/loopback only/),
      }),
    );
  });

  it('never repeats the URL or its query in an error', async () => {
    for (const url of [
      'not a url ?key=SECRET-KEY',
      'wss://127.0.0.1/?key=SECRET-KEY',
      'ws://127.0.0.1/x?key=SECRET-KEY',
      'ws://10.0.0.1/?key=SECRET-KEY',
    ]) {
      const error = await FaultProxy.start({ upstream: url }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).not.toContain('SECRET');
    }
  });

  it('accepts 127.0.0.0/8, ::1 and localhost', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '[::1]', '::1', 'localhost', 'LOCALHOST']) {
      expect(isLoopbackHost(host)).toBe(true);
    }
    for (const host of ['128.0.0.1', '1.127.0.0', '127.0.0', '::', 'localhost.example']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });
});

describe('evidence', () => {
  it('never writes an access key or a query string into an event', async () => {
    const upstream = await TestUpstream.start();
    const proxy = await FaultProxy.start({ upstream: upstream.url });
    const key = newAccessKey();
    const [forwarded, stalled, reset] = [newChannelId(), newChannelId(), newChannelId()];
    try {
      proxy.addRule({ channelId: stalled, direction: 'read', action: { kind: 'stall-upgrade' } });
      proxy.addRule({
        channelId: reset,
        direction: 'write',
        action: { kind: 'reset-after', bytes: 100 },
      });

      const plain = await openClient(channelUrl(proxy.url, forwarded, key, 'write'));
      await roundTrip(plain, 'x');
      plain.ws.close();
      await plain.closed;
      await expect(openClient(channelUrl(proxy.url, stalled, key, 'read'), 200)).rejects.toThrow();
      const writer = await openClient(channelUrl(proxy.url, reset, key, 'write'));
      writer.ws.send(randomBytes(4096));
      await writer.closed;
      // The key in a path, a malformed request and a 404-like unknown path.
      await openClient(`${proxy.url}/otel?key=${encodeURIComponent(key)}`).then((c) =>
        c.ws.close(),
      );
      await new Promise<void>((resolve) => {
        const socket = connect(proxy.port, '127.0.0.1', () =>
          socket.end(`GET /ws/channels/${forwarded}?key=${key}&dir=read HTTP/9\r\n\r\n`),
        );
        socket.on('close', () => resolve());
        socket.resume();
      });
      await proxy.waitForEvent('answered 400');
    } finally {
      await proxy.stop();
      await upstream.stop();
    }

    const events = proxy.events().join('\n');
    expect(proxy.events().length).toBeGreaterThan(12);
    for (const secret of [key, encodeURIComponent(key), 'key=', '?', 'dir=']) {
      expect(events).not.toContain(secret);
    }
    expect(events).toContain('stalled');
    expect(events).toContain('reset both sockets after 100 bytes');
  });
});

describe('stop', () => {
  it('is idempotent, closes every socket and the listener', async () => {
    const upstream = await TestUpstream.start();
    const proxy = await FaultProxy.start({ upstream: upstream.url });
    const id = newChannelId();
    proxy.addRule({ channelId: id, direction: 'read', action: { kind: 'stall-upgrade' } });
    const open = await openClient(channelUrl(proxy.url, id, newAccessKey(), 'write'));
    const stalled = openClient(channelUrl(proxy.url, id, newAccessKey(), 'read'), 60_000);
    stalled.catch(() => {});
    await proxy.waitForEvent('stalled');
    expect(proxy.connections().open).toBe(2);

    await Promise.all([proxy.stop(), proxy.stop()]);
    await proxy.stop();
    expect(proxy.connections().open).toBe(0);
    expect(await open.closed).toBe(1006);
    await expect(stalled).rejects.toThrow();
    await expect(openClient(proxy.url)).rejects.toThrow(/ECONNREFUSED/);
    await expect(proxy.waitForEvent('never recorded')).rejects.toThrow(/stopped/);
    await upstream.stop();
  });

  it('leaves nothing that keeps a process alive', async () => {
    // A fresh Node process that uses the proxy, stops it and then must exit
    // on its own: a leftover socket or timer would keep it running.
    const index = fileURLToPath(new URL('./index.ts', import.meta.url));
    const script = `
      import { WebSocket, WebSocketServer } from 'ws';
      import { FaultProxy } from ${JSON.stringify(index)};
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await new Promise((r) => wss.on('listening', r));
      wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
      const proxy = await FaultProxy.start({ upstream: 'ws://127.0.0.1:' + wss.address().port });
      proxy.addRule({ channelId: 'stalled', direction: 'read', action: { kind: 'stall-upgrade' } });
      proxy.addRule({ channelId: 'reset', direction: 'write', action: { kind: 'reset-after', bytes: 5 } });
      const open = (path, timeout) => {
        const ws = new WebSocket(proxy.url + path, { handshakeTimeout: timeout });
        ws.on('error', () => {});
        return ws;
      };
      const live = open('/', 60000);
      await new Promise((r) => live.on('open', r));
      const reset = open('/ws/channels/reset?key=k&dir=write', 60000);
      reset.on('open', () => reset.send('more than five bytes'));
      open('/ws/channels/stalled?key=k&dir=read', 60000);
      await proxy.waitForEvent('reset both');
      await proxy.waitForEvent('stalled');
      proxy.waitForEvent('never', 60000).catch(() => {});
      await proxy.stop();
      wss.close();
      console.log('stopped; open connections: ' + proxy.connections().open);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    // Hang guard only: a healthy child exits as soon as its work is done.
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    clearTimeout(guard);
    expect({ code, signal, output }).toEqual({
      code: 0,
      signal: null,
      output: 'stopped; open connections: 0\n',
    });
  }, 40_000);
});
