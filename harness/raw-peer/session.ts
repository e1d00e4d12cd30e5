// What a raw writer and a raw reader share: the channel URL, the deadline,
// log lines tagged with the cell, and turning the upgrade's outcome into
// either a live connection or an error in the digest.
import { setTimeout as sleep } from 'node:timers/promises';
import { type DataSink, RawConnection } from './connection.ts';
import type { RawDigest } from './digest.ts';
import { ConnectError, upgrade } from './handshake.ts';

export interface ChannelRef {
  channel_id: string;
  access_key: string;
  direction: string;
}

/** `<engine url>/ws/channels/<id>?key=<enc(key)>&dir=<dir>`, like the SDKs build it (§3.3). */
export function channelUrl(engineUrl: string, ref: ChannelRef, dir: 'read' | 'write'): URL {
  const base = engineUrl.endsWith('/') ? engineUrl.slice(0, -1) : engineUrl;
  const key = encodeURIComponent(ref.access_key);
  return new URL(`${base}/ws/channels/${ref.channel_id}?key=${key}&dir=${dir}`);
}

export class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`deadline of ${ms} ms passed`);
    this.name = 'DeadlineExceeded';
  }
}

export class Deadline {
  private readonly at: number;

  constructor(readonly ms: number) {
    this.at = Date.now() + ms;
  }

  get remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  /** Settles with `work`, or rejects with DeadlineExceeded when time runs out first. */
  async race<T>(work: Promise<T>): Promise<T> {
    const ac = new AbortController();
    const timeout = sleep(this.remaining, undefined, { signal: ac.signal }).then(() => {
      throw new DeadlineExceeded(this.ms);
    });
    timeout.catch(() => {});
    try {
      return await Promise.race([work, timeout]);
    } finally {
      ac.abort();
    }
  }

  /** Sleeps `ms`, but never past the deadline. */
  sleep(ms: number): Promise<void> {
    return sleep(Math.min(ms, this.remaining)).then(() => {});
  }
}

export type LineLog = (line: string) => void;

export function roleLogger(cell: string, role: string, log?: LineLog): LineLog {
  return (line) => log?.(`[cell ${cell}] raw ${role}: ${line}`);
}

export interface Opened {
  conn?: RawConnection;
  http?: { status: number; body: string };
}

/**
 * Upgrades to the channel endpoint. A refusal (404 "Channel not found", 409,
 * 410, ...) is recorded as error HTTP_<status>, a failed connect under its
 * errno code; either way the caller gets no connection.
 */
export async function openChannel(
  opts: { engineUrl: string; ref: ChannelRef },
  dir: 'read' | 'write',
  deadline: Deadline,
  digest: RawDigest,
  log: LineLog,
  sink?: DataSink,
): Promise<Opened> {
  digest.started();
  try {
    const url = channelUrl(opts.engineUrl, opts.ref, dir);
    log(`connecting to channel ${opts.ref.channel_id.slice(0, 8)} dir=${dir}`);
    const result = await upgrade(url, Math.max(1, deadline.remaining));
    if (result.kind === 'refused') {
      const body = result.body.slice(0, 200);
      log(`upgrade refused: HTTP ${result.status} ${body}`);
      digest.fail(`HTTP_${result.status}`, `HTTP ${result.status}: ${body}`, 'connect');
      return { http: { status: result.status, body } };
    }
    log('connected');
    return { conn: new RawConnection(result.socket, result.head, sink) };
  } catch (err) {
    const code = err instanceof ConnectError ? err.code : 'CONNECT_FAILED';
    log(`connect failed: ${code}`);
    digest.fail(code, (err as Error).message, 'connect');
    return {};
  }
}
