// The client side of the HTTP/1.1 upgrade (RFC 6455 §4), by hand: the raw
// peer needs the bare net.Socket afterwards, and a refused upgrade must give
// back its status and body (404 "Channel not found", 409, 410) as data.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A response head larger than this is not an engine talking. */
const MAX_HEAD_BYTES = 16 * 1024;
/** Enough of a refusal body to quote it; the rest is not read. */
const MAX_BODY_BYTES = 4096;

export type UpgradeResult =
  | { kind: 'upgraded'; socket: Socket; head: Buffer }
  | { kind: 'refused'; status: number; body: string };

export class ConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::1' || bare === 'localhost';
}

export const acceptFor = (key: string): string =>
  createHash('sha1')
    .update(key + GUID)
    .digest('base64');

/** Connects to `url` (ws://, loopback only) and performs the upgrade. */
export function upgrade(url: URL, timeoutMs: number): Promise<UpgradeResult> {
  if (url.protocol !== 'ws:') {
    return Promise.reject(new ConnectError('BAD_URL', `only ws:// is supported: ${url.protocol}`));
  }
  if (!isLoopbackHost(url.hostname)) {
    const why = `refusing ${url.hostname}: the raw peer talks to loopback engines only`;
    return Promise.reject(new ConnectError('NON_LOOPBACK', why));
  }
  const key = randomBytes(16).toString('base64');
  const port = Number(url.port || 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');

  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let head = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(
      () => fail(new ConnectError('ETIMEDOUT', `no upgrade answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const done = (result: UpgradeResult) => {
      // Paused until the connection takes over, so no frame arrives unheard.
      socket.pause();
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('end', onEnd);
      resolve(result);
    };
    function fail(err: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const code = (err as NodeJS.ErrnoException).code ?? 'CONNECT_FAILED';
      reject(err instanceof ConnectError ? err : new ConnectError(code, err.message));
    }
    function onEnd() {
      fail(new ConnectError('ECONNRESET', 'connection ended before the upgrade answer'));
    }
    function onData(chunk: Buffer) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) fail(new ConnectError('BAD_HANDSHAKE', 'head too big'));
        return;
      }
      const response = parseHead(head.subarray(0, end).toString('latin1'));
      const rest = head.subarray(end + 4);
      if (response.status !== 101) {
        // A refusal is an answer, not a failure: stop treating end/error as one.
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('error', fail);
        socket.on('error', () => {});
        readBody(socket, rest, response.headers, (body) => {
          socket.destroy();
          done({ kind: 'refused', status: response.status, body });
        });
        return;
      }
      const problem = checkAccept(response.headers, key);
      if (problem) {
        fail(new ConnectError('BAD_HANDSHAKE', problem));
        return;
      }
      done({ kind: 'upgraded', socket, head: rest });
    }

    socket.setNoDelay(true);
    socket.on('data', onData);
    socket.on('error', fail);
    socket.on('end', onEnd);
    socket.once('connect', () => {
      const path = `${url.pathname}${url.search}`;
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  });
}

interface Head {
  status: number;
  headers: Map<string, string>;
}

function parseHead(text: string): Head {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status, headers };
}

function checkAccept(headers: Map<string, string>, key: string): string | undefined {
  if (headers.get('upgrade')?.toLowerCase() !== 'websocket') return 'Upgrade is not websocket';
  if (!/\bupgrade\b/i.test(headers.get('connection') ?? '')) return 'Connection lacks Upgrade';
  if (headers.get('sec-websocket-accept') !== acceptFor(key))
    return 'Sec-WebSocket-Accept mismatch';
  // We offered no extension, so none may be in force (RFC 6455 §9.1).
  if (headers.has('sec-websocket-extensions')) return 'unrequested extension in force';
  return undefined;
}

function readBody(
  socket: Socket,
  first: Buffer,
  headers: Map<string, string>,
  deliver: (body: string) => void,
): void {
  const declared = Number(headers.get('content-length') ?? Number.NaN);
  const limit = Number.isFinite(declared) ? Math.min(declared, MAX_BODY_BYTES) : MAX_BODY_BYTES;
  let body = first;
  let delivered = false;
  const finish = () => {
    if (delivered) return;
    delivered = true;
    deliver(body.subarray(0, limit).toString('utf8'));
  };
  if (body.length >= limit) {
    finish();
    return;
  }
  // The engine sends the body with the head; do not wait long for stragglers.
  setTimeout(finish, 1000).unref();
  socket.on('data', (chunk: Buffer) => {
    body = Buffer.concat([body, chunk]);
    if (body.length >= limit) finish();
  });
  socket.on('end', finish);
  socket.on('close', finish);
}
