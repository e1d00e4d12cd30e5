// `GET /ws/channels/{id}?key=..&dir=read|write` (notes §3.3): the query and
// key are checked before the upgrade, so refusals are plain HTTP responses.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Direction } from './channel.ts';
import type { ChannelRegistry } from './channel-registry.ts';
import { type Logger, short } from './log.ts';

export const CHANNEL_PATH = /^\/ws\/channels\/([^/]+)$/;

export interface ChannelUpgradeContext {
  channels: ChannelRegistry;
  wss: WebSocketServer;
  logger: Logger;
}

export function handleChannelUpgrade(
  ctx: ChannelUpgradeContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
  channelId: string,
): void {
  const key = url.searchParams.get('key');
  const dir = url.searchParams.get('dir');
  if (key === null || (dir !== 'read' && dir !== 'write')) {
    // The engine's query extractor wants both, and dir exactly lowercase.
    refuse(socket, 400, 'Failed to deserialize query string: need key and dir=read|write');
    ctx.logger.info(`channel ${short(channelId)}: refused connect with a bad query (400)`);
    return;
  }

  const decision = ctx.channels.decideConnect(channelId, key, dir as Direction);
  if (decision.kind === 'refuse') {
    refuse(socket, decision.status, decision.body);
    ctx.logger.info(
      `channel ${short(channelId)}: refused dir=${dir} (${decision.status} ${decision.body})`,
    );
    return;
  }

  ctx.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    if (decision.kind === 'upgrade-then-close') {
      // compat (§3.3): 101, then a Close with no code, read as an empty stream.
      ctx.logger.info(`channel ${short(channelId)}: dir=${dir} ${decision.why}; 101 + Close`);
      decision.channel.frames.add(dir === 'write' ? 'writer' : 'reader', 'send', 'close', 0, 1005);
      ws.close();
      return;
    }
    if (dir === 'write') decision.channel.attachWriter(ws);
    else decision.channel.attachReader(ws);
  });
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
};

export function refuse(socket: Duplex, status: number, body: string): void {
  const reason = REASONS[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
