// Without rules the proxy must be invisible: every byte passes both ways,
// control connections and plain HTTP included, and bad input is answered
// by the proxy itself without reaching the upstream.
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
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

/** Sends raw bytes to the proxy and returns everything it answers until it closes. */
function rawExchange(bytes: Buffer | string, endAfterWrite = false, port = proxy.port) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(bytes, () => endAfterWrite && socket.end());
  });
}

describe('transparent forwarding', () => {
  it('relays text and binary both ways, a few MiB included', async () => {
    upstream.greeting = Buffer.from('hello from upstream');
    const id = newChannelId();
    const key = newAccessKey();
    const client = await openClient(channelUrl(proxy.url, id, key, 'write'));
    const greeting = await client.nextMessage();
    expect(greeting.toString()).toBe('hello from upstream');

    const big = randomBytes(3 * 1024 * 1024 + 17);
    expect(Buffer.compare((await roundTrip(client, big)) as Buffer, big)).toBe(0);
    const text = `é€🙂 ${'x'.repeat(1024 * 1024)}`;
    expect(await roundTrip(client, text)).toBe(text);
    expect(await roundTrip(client, Buffer.alloc(0))).toEqual(Buffer.alloc(0));

    client.ws.close(1000, 'done');
    expect(await client.closed).toBe(1000);
    // "closed by" names the side whose FIN came first: after a WebSocket close
    // handshake that is the server (RFC 6455 §7.1.1), whoever sent the first Close.
    const closed = await proxy.waitForEvent('closed by');
    expect(closed).toMatch(new RegExp(`^\\[#1 ${id.slice(0, 8)}/write\\] closed by upstream;`));
    const [up, down] = [...closed.matchAll(/(\d+)(?:,|$)/g)].map((m) => Number(m[1]));
    expect(up).toBeGreaterThan(big.length + text.length);
    expect(down).toBeGreaterThan(big.length + text.length);

    // The query, key included, reaches the upstream exactly as the client sent it.
    expect(upstream.sockets[0].url).toBe(
      `/ws/channels/${id}?key=${encodeURIComponent(key)}&dir=write`,
    );
    expect(proxy.eventsFor(id)).toEqual([
      `[#1 ${id.slice(0, 8)}/write] accepted GET upgrade`,
      `[#1 ${id.slice(0, 8)}/write] connected upstream ${upstream.url.slice(5)}`,
      `[#1 ${id.slice(0, 8)}/write] upgraded: upstream answered 101`,
      closed,
    ]);
  });

  it('relays a control connection at /', async () => {
    const client = await openClient(`${proxy.url}/`);
    expect(await roundTrip(client, '{"type":"ping"}')).toBe('{"type":"ping"}');
    client.ws.close();
    await client.closed;
    expect(await proxy.waitForEvent('closed by')).toMatch(/^\[#1 \/\] closed by upstream; /);
  });

  it('relays plain HTTP requests such as diagnostics', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      get(`http://127.0.0.1:${proxy.port}/_conformance/channels?x=1`, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve(`${res.statusCode} ${text}`));
      }).on('error', reject);
    });
    expect(body).toBe('200 {"url":"/_conformance/channels?x=1"}');
    expect(await proxy.waitForEvent('upstream answered')).toBe(
      '[#1 /_conformance/channels] upstream answered 200',
    );
  });

  it('passes a half-close through: the upstream may answer after the client FIN', async () => {
    // A bare TCP upstream that answers only once the client has finished sending.
    const late = createServer({ allowHalfOpen: true }, (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('end', () => socket.end(`after FIN: ${Buffer.concat(chunks).length} bytes`));
    });
    await new Promise<void>((resolve) => late.listen(0, '127.0.0.1', resolve));
    const port = (late.address() as AddressInfo).port;
    const halfClose = await FaultProxy.start({ upstream: `ws://127.0.0.1:${port}` });
    try {
      const request = 'GET /half HTTP/1.1\r\nHost: x\r\n\r\nbody';
      const answer = await rawExchange(request, true, halfClose.port);
      expect(answer).toBe(`after FIN: ${request.length} bytes`);
      expect(await halfClose.waitForEvent('closed by')).toMatch(/\] closed by client; /);
    } finally {
      await halfClose.stop();
      await new Promise((resolve) => late.close(resolve));
    }
  });
});

describe('bad input', () => {
  it('answers 400 to garbage and never calls the upstream', async () => {
    const answer = await rawExchange('\x16\x03\x01 hello, this is not HTTP\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(await proxy.waitForEvent('closed by')).toContain('closed by proxy (answered 400)');
    expect(upstream.tcpConnections).toBe(0);
  });

  it('answers 400 to a malformed request line', async () => {
    const answer = await rawExchange('GET /ws/channels/x?key=SECRET\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).not.toContain('SECRET');
    expect(proxy.events().join('\n')).not.toContain('SECRET');
  });

  it('answers 431 to a request head over 16 KiB', async () => {
    const head = `GET / HTTP/1.1\r\nX-Pad: ${'p'.repeat(17 * 1024)}\r\n\r\n`;
    const answer = await rawExchange(head);
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(upstream.tcpConnections).toBe(0);
  });

  it('records a client that closes before its request head is complete', async () => {
    await rawExchange('GET /ws/chan', true);
    expect(await proxy.waitForEvent('closed by')).toBe(
      '[#1 -] closed by client before a complete request head (12 bytes read); ' +
        'bytes client→upstream 0, upstream→client 0',
    );
    expect(upstream.tcpConnections).toBe(0);
  });

  it('answers 502 and closes when the upstream refuses the connection', async () => {
    // A loopback port that was ours a moment ago and is now closed.
    const gone = await TestUpstream.start();
    await gone.stop();
    const orphan = await FaultProxy.start({ upstream: gone.url });
    try {
      const url = channelUrl(orphan.url, newChannelId(), newAccessKey(), 'read');
      await expect(openClient(url)).rejects.toThrow(/Unexpected server response: 502/);
      const failed = await orphan.waitForEvent('connect failed');
      expect(failed).toMatch(/connect failed: ECONNREFUSED; answered 502$/);
      expect(await orphan.waitForEvent('closed by')).toContain('closed by proxy (answered 502)');
    } finally {
      await orphan.stop();
    }
  });
});
