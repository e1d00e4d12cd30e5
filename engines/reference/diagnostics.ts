// JSON views for the harness under /_conformance/ on the broker's
// own loopback listener. They carry ids, states, sizes and close codes; an
// access key or a payload byte never appears here.

import type { ServerResponse } from 'node:http';
import type { Channel } from './channel.ts';
import type { ChannelRegistry } from './channel-registry.ts';
import type { ProfileName } from './policy.ts';
import type { WorkerHub } from './worker-hub.ts';

export const DIAGNOSTICS_PREFIX = '/_conformance/';

export interface DiagnosticsSource {
  version: string;
  profile: ProfileName;
  startedAt: number;
  channels: ChannelRegistry;
  workers: WorkerHub;
}

export function channelSummary(channel: Channel) {
  const now = Date.now();
  return {
    id: channel.id,
    bufferSize: channel.bufferSize,
    ageMs: now - channel.createdAt,
    creatorWorkerId: channel.creatorWorkerId ?? null,
    writer: channel.writerState,
    reader: channel.readerState,
    writerPaused: channel.writerPaused,
    finished: channel.finishedAt !== undefined,
    brokenReason: channel.brokenReason ?? null,
    queuedItems: channel.queuedItems,
    heldItems: channel.heldItems,
    ...channel.stats,
    writerCloseCode: channel.stats.writerCloseCode ?? null,
    readerCloseCode: channel.stats.readerCloseCode ?? null,
    endReason: channel.stats.endReason ?? null,
  };
}

export function brokerSummary(src: DiagnosticsSource) {
  const memory = process.memoryUsage();
  return {
    version: src.version,
    profile: src.profile,
    uptimeMs: Date.now() - src.startedAt,
    rssBytes: memory.rss,
    // maxRSS is in KiB on every platform Node supports.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    workers: src.workers.sessions.size,
    invocationsInFlight: src.workers.router.inFlight,
    invocationsRouted: src.workers.router.routed,
    malformedFrames: src.workers.malformedFrames,
    channelsOpen: src.channels.all().length,
    channelsCreated: src.channels.created,
    channelsRemoved: src.channels.removed,
  };
}

function workersView(src: DiagnosticsSource) {
  return [...src.workers.sessions.values()].map((s) => ({
    id: s.id,
    name: s.name ?? null,
    runtime: s.runtime ?? null,
    namespace: s.namespace,
    functions: [...s.functions].sort(),
    connectedMs: Date.now() - s.connectedAt,
    framesDropped: s.framesDropped,
  }));
}

/** A percent-encoded path part, or null when its escapes are malformed. */
export function decodePathPart(part: string | undefined): string | null {
  try {
    return decodeURIComponent(part ?? '');
  } catch {
    return null;
  }
}

/**
 * POST /_conformance/channels/<id>/ttl?ms=N: the one write under the prefix,
 * giving a channel a short TTL of its own for the stale-channel sweep scenario.
 */
export function serveTtl(src: DiagnosticsSource, url: URL, res: ServerResponse): true {
  const match = /^channels\/([^/]+)\/ttl$/.exec(url.pathname.slice(DIAGNOSTICS_PREFIX.length));
  const given = url.searchParams.get('ms');
  const ms = given ? Number(given) : Number.NaN;
  if (!match)
    return sendJson(res, 404, { error: `POST only to ${DIAGNOSTICS_PREFIX}channels/<id>/ttl` });
  if (!Number.isInteger(ms) || ms < 0 || ms > 3_600_000) {
    return sendJson(res, 400, { error: 'ms must be an integer from 0 to 3600000' });
  }
  const id = decodePathPart(match[1]);
  if (id === null) return sendJson(res, 400, { error: 'malformed escape in the channel id' });
  const known = src.channels.expireAfter(id, ms);
  return known
    ? sendJson(res, 200, { ttlMs: ms })
    : sendJson(res, 404, { error: 'channel not found (or removed)' });
}

/** Answers a GET under /_conformance/; returns false when the path is not ours. */
export function serveDiagnostics(src: DiagnosticsSource, path: string, res: ServerResponse) {
  const rest = path.slice(DIAGNOSTICS_PREFIX.length).replace(/\/$/, '');
  if (rest === '' || rest === 'broker') return sendJson(res, 200, brokerSummary(src));
  if (rest === 'workers') return sendJson(res, 200, { workers: workersView(src) });
  if (rest === 'channels') {
    return sendJson(res, 200, {
      broker: brokerSummary(src),
      channels: src.channels.all().map(channelSummary),
    });
  }

  const match = /^channels\/([^/]+)$/.exec(rest);
  if (match) {
    const id = decodePathPart(match[1]);
    if (id === null) return sendJson(res, 400, { error: 'malformed escape in the channel id' });
    const channel = src.channels.get(id);
    if (!channel) return sendJson(res, 404, { error: 'channel not found (or removed)' });
    return sendJson(res, 200, {
      ...channelSummary(channel),
      framesDropped: channel.frames.dropped,
      frames: channel.frameRecords(),
    });
  }
  return sendJson(res, 404, {
    error: 'unknown diagnostics path',
    paths: ['broker', 'workers', 'channels', 'channels/<id>'].map((p) => DIAGNOSTICS_PREFIX + p),
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
  return true;
}
