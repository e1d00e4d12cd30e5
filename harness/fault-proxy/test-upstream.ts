// Test support: an engine stand-in on 127.0.0.1 port 0 that echoes every
// WebSocket message, answers plain GETs with the URL it saw, and records what
// happened to each of its sockets (bytes after the upgrade, error codes), so
// tests can tell what the proxy did to the upstream side.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface UpstreamSocket {
  /** The request URL as the upstream received it, query included. */
  url: string;
  bytesAfterUpgrade: number;
  errorCode?: string;
  closed: Promise<void>;
}

export class TestUpstream {
  readonly url: string;
  /** TCP connections accepted, upgraded or not. */
  tcpConnections = 0;
  readonly sockets: UpstreamSocket[] = [];
  /** Sent to every client right after its upgrade, when set. */
  greeting?: Buffer;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });

  static async start(): Promise<TestUpstream> {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ url: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TestUpstream(server);
  }

  private constructor(server: Server) {
    this.server = server;
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    this.url = `ws://127.0.0.1:${address.port}`;
    server.on('connection', () => {
      this.tcpConnections += 1;
    });
    server.on('upgrade', (req, socket: Socket, head: Buffer) => {
      const record: UpstreamSocket = {
        url: req.url ?? '',
        bytesAfterUpgrade: head.length,
        closed: new Promise((resolve) => socket.once('close', () => resolve())),
      };
      this.sockets.push(record);
      socket.on('error', (err: NodeJS.ErrnoException) => {
        record.errorCode ??= err.code;
      });
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        socket.on('data', (chunk: Buffer) => {
          record.bytesAfterUpgrade += chunk.length;
        });
        this.serve(ws);
      });
    });
  }

  private serve(ws: WebSocket): void {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    if (this.greeting) ws.send(this.greeting);
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.wss.close();
  }
}
