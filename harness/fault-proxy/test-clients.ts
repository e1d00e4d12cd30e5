// Test support: ws clients that report what a worker would observe: the
// opening outcome, the close code, and the error code of the raw socket
// (ws hides ECONNRESET behind close code 1006).
import { randomBytes, randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';

export interface ObservedClient {
  ws: WebSocket;
  /** The next message received, in order; none is missed between open and the call. */
  nextMessage(): Promise<Buffer | string>;
  /** Resolves with the close code once the client is closed. */
  closed: Promise<number>;
  socketErrorCode(): string | undefined;
}

export const newChannelId = (): string => randomUUID();

/** A key with characters that need percent-encoding, as the SDKs would encode them. */
export const newAccessKey = (): string => `k3y/${randomBytes(12).toString('base64')}+=`;

export function channelUrl(base: string, id: string, key: string, dir: 'read' | 'write'): string {
  return `${base}/ws/channels/${id}?key=${encodeURIComponent(key)}&dir=${dir}`;
}

/** Opens a client and waits for the upgrade; rejects with the handshake error. */
export function openClient(url: string, handshakeTimeout = 10_000): Promise<ObservedClient> {
  const ws = new WebSocket(url, { handshakeTimeout, perMessageDeflate: false });
  let socketError: string | undefined;
  const inbox: (Buffer | string)[] = [];
  const readers: ((message: Buffer | string) => void)[] = [];
  ws.on('message', (data, isBinary) => {
    const message = isBinary ? (data as Buffer) : (data as Buffer).toString('utf8');
    const reader = readers.shift();
    if (reader) reader(message);
    else inbox.push(message);
  });
  const nextMessage = () =>
    new Promise<Buffer | string>((resolve) => {
      const queued = inbox.shift();
      if (queued === undefined) readers.push(resolve);
      else resolve(queued);
    });
  ws.on('upgrade', (res) => {
    res.socket.on('error', (err: NodeJS.ErrnoException) => {
      socketError ??= err.code;
    });
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.on('error', () => {});
      resolve({ ws, nextMessage, closed, socketErrorCode: () => socketError });
    });
    ws.once('error', reject);
  });
}

/** Sends one message and waits for the next message back. */
export function roundTrip(client: ObservedClient, data: Buffer | string): Promise<Buffer | string> {
  const reply = client.nextMessage();
  return new Promise((resolve, reject) => {
    client.ws.send(data, (err) => (err ? reject(err) : resolve(reply)));
  });
}
