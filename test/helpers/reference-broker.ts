// Shared helpers for the reference broker tests: an in-process broker with
// captured logs, raw WebSocket clients and small waiting utilities.

import { createHash } from 'node:crypto';
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

/** Deterministic bytes without a seed file: SHA-256 blocks of a counter. */
export function patternBytes(length: number, seed = 'reference'): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0, off = 0; off < length; i++, off += 32) {
    createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  }
  return out;
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
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
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
