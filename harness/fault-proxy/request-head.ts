// Reads just enough of an HTTP/1.1 exchange to route faults: the request
// line of what a client sent (which channel end it asks for) and the status
// of what the upstream answered (did the upgrade happen). The bytes
// themselves are forwarded untouched; nothing here rewrites them.

/** A head larger than this is not a worker talking; the engine's own limit is similar. */
export const MAX_HEAD_BYTES = 16 * 1024;

export type ChannelDirection = 'read' | 'write';

export interface ChannelEnd {
  channelId: string;
  /** Absent when the query has no valid `dir`; no rule can match such a request. */
  direction?: ChannelDirection;
}

export interface RequestHead {
  method: string;
  /** The request path without its query: the query holds the access key. */
  path: string;
  upgrade: boolean;
  channel?: ChannelEnd;
}

export type HeadRead =
  | { kind: 'incomplete' }
  | { kind: 'too-large' }
  | { kind: 'malformed'; why: string }
  | { kind: 'complete'; head: RequestHead };

const END_OF_HEAD = Buffer.from('\r\n\r\n');
const REQUEST_LINE = /^([A-Z]+) ([\x21-\x7e]+) HTTP\/1\.[01]$/;
const CHANNEL_PATH = /^\/ws\/channels\/([^/]+)$/;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: |$)/;

export function readRequestHead(received: Buffer): HeadRead {
  // Refuse garbage as soon as the first line shows it, rather than waiting
  // for 16 KiB that a confused client may never send.
  if (received.length > 0 && (received[0] < 0x41 || received[0] > 0x5a)) {
    return { kind: 'malformed', why: 'request does not start with an HTTP method' };
  }
  const firstLineEnd = received.indexOf('\r\n');
  if (firstLineEnd >= 0 && !REQUEST_LINE.test(received.toString('latin1', 0, firstLineEnd))) {
    return { kind: 'malformed', why: 'request line is not "METHOD target HTTP/1.x"' };
  }

  const end = received.indexOf(END_OF_HEAD);
  if (end < 0)
    return received.length > MAX_HEAD_BYTES ? { kind: 'too-large' } : { kind: 'incomplete' };
  if (end + END_OF_HEAD.length > MAX_HEAD_BYTES) return { kind: 'too-large' };

  const lines = received.toString('latin1', 0, end).split('\r\n');
  const [, method, target] = REQUEST_LINE.exec(lines[0]) ?? [];
  const queryAt = target.indexOf('?');
  const path = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = queryAt < 0 ? '' : target.slice(queryAt + 1);
  const upgrade = lines.slice(1).some((line) => /^upgrade[ \t]*:/i.test(line));
  return { kind: 'complete', head: { method, path, upgrade, channel: channelEnd(path, query) } };
}

function channelEnd(path: string, query: string): ChannelEnd | undefined {
  const match = CHANNEL_PATH.exec(path);
  if (!match) return undefined;
  const dir = new URLSearchParams(query).get('dir');
  const direction = dir === 'read' || dir === 'write' ? dir : undefined;
  return { channelId: match[1], direction };
}

/** `12345678/write` for a channel end, else the path (never the query), for log lines. */
export function tagFor(head: RequestHead): string {
  if (head.channel) return `${head.channel.channelId.slice(0, 8)}/${head.channel.direction ?? '-'}`;
  return head.path.length > 48 ? `${head.path.slice(0, 48)}…` : head.path;
}

export type StatusRead =
  | { kind: 'incomplete' }
  | { kind: 'unreadable' }
  | { kind: 'status'; status: number };

/** The status code of an HTTP response whose head begins `received`. */
export function readResponseStatus(received: Buffer): StatusRead {
  const lineEnd = received.indexOf('\r\n');
  if (lineEnd < 0)
    return received.length > MAX_HEAD_BYTES ? { kind: 'unreadable' } : { kind: 'incomplete' };
  const match = STATUS_LINE.exec(received.toString('latin1', 0, lineEnd));
  return match ? { kind: 'status', status: Number(match[1]) } : { kind: 'unreadable' };
}
