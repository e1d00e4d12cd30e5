// Shared helpers for the reference broker tests: an in-process broker with
// captured logs, raw WebSocket clients and small waiting utilities.

import { createCipheriv, createHash } from 'node:crypto';
import { WebSocket } from 'ws';
import {
  type ReferenceBroker,
  type ReferenceBrokerOptions,
  startReferenceBroker,
} from '../../engines/reference/broker.ts';
import { createLogger } from '../../engines/reference/log.ts';

export interface TestBroker extends ReferenceBroker {
  lines: string[];
}

// Telemetry is not part of the contract; keep the SDKs from opening /otel.
process.env.OTEL_ENABLED = 'false';

export async function startTestBroker(options: ReferenceBrokerOptions = {}): Promise<TestBroker> {
  const lines: string[] = [];
  const logger = createLogger({
    verbose: true,
    sink: (line) => {
      lines.push(line);
      if (process.env.REFERENCE_TEST_LOG === '1') process.stderr.write(`${line}\n`);
    },
  });
  const broker = await startReferenceBroker({ logger, ...options });
  return Object.assign(broker, { lines });
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic, incompressible bytes: AES-256-CTR keystream keyed by the seed. */
export function patternBytes(length: number, seed = 'reference'): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

export async function waitFor<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface RawEnd {
  ws: WebSocket;
  frames: { data: Buffer; binary: boolean }[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a raw channel socket; resolves on open, rejects with the HTTP status. */
export function openChannel(wsBase: string, id: string, key: string, dir: string) {
  const url = `${wsBase}/ws/channels/${id}?key=${encodeURIComponent(key)}&dir=${dir}`;
  return openRaw(url);
}

export function openRaw(url: string): Promise<RawEnd> {
  const ws = new WebSocket(url);
  const frames: RawEnd['frames'] = [];
  ws.on('message', (data, binary) => frames.push({ data: data as Buffer, binary }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => reject(new HttpRefusal(res.statusCode ?? 0, body)));
    });
    ws.once('error', (err) => reject(err));
  });
}

export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body}`);
  }
}

/** A raw worker connection speaking JSON frames. */
export async function openWorker(wsUrl: string) {
  const end = await openRaw(wsUrl);
  const messages = () => end.frames.map((f) => JSON.parse(f.data.toString()));
  const send = (msg: unknown) => end.ws.send(JSON.stringify(msg));
  const next = (pred: (m: Record<string, unknown>) => boolean, what: string) =>
    waitFor(() => messages().find(pred), what);
  return { ...end, messages, send, next };
}

export async function getJson(broker: ReferenceBroker, path: string) {
  const res = await fetch(`${broker.diagnosticsUrl}${path}`);
  return { status: res.status, text: await res.clone().text(), body: await res.json() };
}

type RawWorker = Awaited<ReturnType<typeof openWorker>>;

/** Calls engine::channels::create over the raw protocol; returns the result message. */
export async function rawCreateChannel(w: RawWorker, data?: unknown) {
  const id = crypto.randomUUID();
  w.send({
    type: 'invokefunction',
    invocation_id: id,
    function_id: 'engine::channels::create',
    ...(data !== undefined && { data }),
  });
  return w.next((m) => m.type === 'invocationresult' && m.invocation_id === id, 'create result');
}

export interface RawRefs {
  writer: { channel_id: string; access_key: string };
  reader: { channel_id: string; access_key: string };
}

/** A channel plus raw sockets for one or both ends. */
export async function rawChannel(broker: ReferenceBroker, bufferSize?: number) {
  const w = await openWorker(broker.wsUrl);
  const msg = await rawCreateChannel(
    w,
    bufferSize === undefined ? {} : { buffer_size: bufferSize },
  );
  const refs = msg.result as RawRefs;
  const open = (dir: 'read' | 'write') => {
    const ref = dir === 'write' ? refs.writer : refs.reader;
    return openChannel(broker.wsUrl, ref.channel_id, ref.access_key, dir);
  };
  return { worker: w, refs, id: refs.writer.channel_id, open };
}
