// The reference broker: one HTTP/1.1 listener on loopback serving the
// worker socket (/), telemetry (/otel, discarded), channel sockets
// (/ws/channels/{id}) and the harness's diagnostics (/_conformance/).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CHANNEL_PATH, handleChannelUpgrade, refuse } from './channel-endpoint.ts';
import { ChannelRegistry } from './channel-registry.ts';
import {
  DIAGNOSTICS_PREFIX,
  type DiagnosticsSource,
  decodePathPart,
  serveDiagnostics,
  serveTtl,
} from './diagnostics.ts';
import { hasFaults, type InjectedFaults } from './fault-injection.ts';
import { createLogger, type Logger, redact } from './log.ts';
import { type ProfileName, policyFor } from './policy.ts';
import { BROKER_VERSION } from './version.ts';
import { WorkerHub } from './worker-hub.ts';

export interface ReferenceBrokerOptions {
  /** Loopback only; anything else is refused. Default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  profile?: ProfileName;
  /** Stale-channel age limit; the engine uses 300 000. */
  channelTtlMs?: number;
  /** Sweep period; the engine uses 60 000. */
  sweepIntervalMs?: number;
  /** Frame records kept per channel for diagnostics (newest win). */
  frameLogLimit?: number;
  verbose?: boolean;
  logger?: Logger;
  /** Self-test corruption (fault-injection.ts); main.ts fills it from the environment. */
  faults?: InjectedFaults;
}

export interface ReferenceBroker {
  wsUrl: string;
  host: string;
  port: number;
  profile: ProfileName;
  version: string;
  diagnosticsUrl: string;
  channels: ChannelRegistry;
  workers: WorkerHub;
  close(): Promise<void>;
}

// The engine's tungstenite limit per message (notes §3.4).
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
// The engine's deadline for reading request headers (notes §1.1).
const HANDSHAKE_TIMEOUT_MS = 10_000;

export function isLoopbackHost(host: string): boolean {
  return /^127(\.\d{1,3}){3}$/.test(host) || host === '::1' || host === 'localhost';
}

export async function startReferenceBroker(
  options: ReferenceBrokerOptions = {},
): Promise<ReferenceBroker> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    throw new Error(`refusing to listen on ${host}: the reference broker is loopback-only`);
  }
  const profile = options.profile ?? 'compat';
  const logger = options.logger ?? createLogger({ verbose: options.verbose });
  const channels = new ChannelRegistry({
    policy: policyFor(profile),
    logger,
    ttlMs: options.channelTtlMs ?? 300_000,
    sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
    frameLogLimit: options.frameLogLimit ?? 2048,
    faults: options.faults,
  });
  if (options.faults && hasFaults(options.faults)) {
    logger.info(`FAULT INJECTION ACTIVE (${JSON.stringify(options.faults)}): for self-tests only`);
  }
  const workers = new WorkerHub({ logger, channels });
  const diagnostics: DiagnosticsSource = {
    version: BROKER_VERSION,
    profile,
    startedAt: Date.now(),
    channels,
    workers,
  };

  const wssOptions = { noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false };
  const workerWss = new WebSocketServer(wssOptions);
  const otelWss = new WebSocketServer(wssOptions);
  const channelWss = new WebSocketServer(wssOptions);

  const server = createServer((req, res) => onRequest(diagnostics, req, res));
  server.headersTimeout = HANDSHAKE_TIMEOUT_MS;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => logger.debug(`upgrade socket error: ${err.message}`));
    const url = new URL(req.url ?? '/', 'http://broker.invalid');
    const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    logger.debug(`upgrade ${redact(req.url ?? '')} from ${peer}`);

    if (url.pathname === '/') {
      workerWss.handleUpgrade(req, socket, head, (ws) => workers.accept(ws, peer));
      return;
    }
    if (url.pathname === '/otel') {
      // Telemetry is not part of the contract; accept so the SDKs stop
      // retrying, and drop every frame.
      otelWss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', () => {});
        ws.on('error', () => {});
      });
      return;
    }
    const channelMatch = CHANNEL_PATH.exec(url.pathname);
    if (channelMatch) {
      const id = decodePathPart(channelMatch[1]);
      if (id === null) {
        refuse(socket, 400, 'Bad Request');
        return;
      }
      handleChannelUpgrade({ channels, wss: channelWss, logger }, req, socket, head, url, id);
      return;
    }
    refuse(socket, 404, 'Not Found');
  });
  server.on('clientError', (err, socket) => {
    logger.debug(`client error: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  channels.startSweeper();
  logger.info(`listening on ws://${urlHost}:${port} (profile ${profile}, v${BROKER_VERSION})`);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      channels.stopSweeper();
      for (const wss of [workerWss, otelWss, channelWss]) {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      logger.info('stopped');
    })();
    return closing;
  };

  return {
    wsUrl: `ws://${urlHost}:${port}`,
    host,
    port,
    profile,
    version: BROKER_VERSION,
    diagnosticsUrl: `http://${urlHost}:${port}${DIAGNOSTICS_PREFIX}`,
    channels,
    workers,
    close,
  };
}

function onRequest(src: DiagnosticsSource, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://broker.invalid');
  const path = url.pathname;
  if (req.method === 'GET' && path.startsWith(DIAGNOSTICS_PREFIX)) {
    serveDiagnostics(src, path, res);
    return;
  }
  if (req.method === 'POST' && path.startsWith(DIAGNOSTICS_PREFIX)) {
    serveTtl(src, url, res);
    return;
  }
  const body = path === '/' || CHANNEL_PATH.test(path) ? 'Upgrade Required' : 'Not Found';
  res.writeHead(body === 'Not Found' ? 404 : 426, { 'content-type': 'text/plain' });
  res.end(body);
}
