// The raw peer against a scripted loopback server, for what no broker sends:
// fragmented and interleaved frames to a reader, invalid UTF-8, protocol
// violations, a missing Close, refusals and a bad handshake; and the bytes a
// raw writer really puts on the wire (masking, 64-bit lengths, Close/FIN/RST).
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameDecoder, type FrameHeader } from '../harness/raw-peer/frame-codec.ts';
import { acceptFor } from '../harness/raw-peer/handshake.ts';
import { encodeFrame, OPCODE, rawRead, rawWrite } from '../harness/raw-peer/index.ts';
import { seededStream } from '../harness/raw-peer/seeded.ts';

type Script = (socket: Socket, key: string) => void;
let server: Server;
let url: string;
let script: Script = () => {};
const ref = { channel_id: 'mock', access_key: 'k/+=', direction: 'read' };

beforeAll(async () => {
  server = createServer((socket) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const key = /sec-websocket-key: (\S+)/i.exec(head)?.[1] ?? '';
      script(socket, key);
    };
    socket.on('data', onData);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  url = `ws://127.0.0.1:${address.port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const accept = (socket: Socket, key: string) =>
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
  );
const frame = (opcode: number, payload: Buffer | string, fin = true) =>
  encodeFrame({ fin, rsv: 0, opcode }, Buffer.from(payload));
const close = (code?: number) => {
  const body = code === undefined ? Buffer.alloc(0) : Buffer.alloc(2);
  if (code !== undefined) body.writeUInt16BE(code);
  return frame(OPCODE.close, body);
};

interface Seen extends FrameHeader {
  masked: boolean;
  payload: Buffer;
}

/** Decodes what the client sends; `ended` tells how its TCP side finished. */
function listen(socket: Socket) {
  const frames: Seen[] = [];
  let current: (FrameHeader & { masked: boolean }) | undefined;
  let parts: Buffer[] = [];
  const decoder = new FrameDecoder({
    onHeader: (h) => {
      current = h;
      parts = [];
    },
    onPayload: (p) => parts.push(Buffer.from(p)),
    onFrameEnd: () => frames.push({ ...(current as Seen), payload: Buffer.concat(parts) }),
  });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  const ended = new Promise<string>((resolve) => {
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    socket.on('end', () => resolve('fin'));
  });
  return { frames, ended };
}

const read = (extra: Partial<Parameters<typeof rawRead>[0]> = {}) =>
  rawRead({ engineUrl: url, ref, deadlineMs: 3000, cell: 'mock', ...extra });

describe('raw reader against a scripted server', () => {
  it('reassembles fragments around pings, answers the ping and echoes a bare Close', async () => {
    let seen: ReturnType<typeof listen> | undefined;
    script = (socket, key) => {
      accept(socket, key);
      seen = listen(socket);
      const smile = Buffer.from('😀!', 'utf8');
      socket.write(
        Buffer.concat([
          frame(OPCODE.binary, 'abc', false),
          frame(OPCODE.ping, 'hi'),
          frame(OPCODE.continuation, 'de'),
          frame(OPCODE.text, smile.subarray(0, 2), false),
          frame(OPCODE.continuation, smile.subarray(2)),
          close(),
        ]),
      );
    };
    const r = await read();
    expect(r.digest).toMatchObject({ end: 'closed', bytes: 5, chunks: 1, max_chunk: 5 });
    expect(r.digest.texts).toMatchObject([{ length: 5, at_byte: 5, preview: '😀!' }]);
    expect(r.close).toEqual({ code: 1005, reason: '' });
    // Replies go out after the chunk that carried the ping is decoded, so only
    // their own order is fixed: the pong before the Close echo.
    const log = (dir: string) =>
      r.frames.entries.filter((e) => e.dir === dir).map((e) => `${e.type}:${e.size}:${e.fin}`);
    expect(log('in')).toEqual([
      'binary:3:false',
      'ping:2:true',
      'continuation:2:true',
      'text:2:false',
      'continuation:3:true',
      'close:0:true',
    ]);
    expect(log('out')).toEqual(['pong:2:true', 'close:0:true']);
    const got = (seen as ReturnType<typeof listen>).frames;
    expect(got.map((f) => [f.opcode, f.payload.toString(), f.masked])).toEqual([
      [OPCODE.pong, 'hi', true],
      [OPCODE.close, '', true],
    ]);
  });

  it('records invalid UTF-8 with its message index and keeps reading', async () => {
    script = (socket, key) => {
      accept(socket, key);
      const bad = Buffer.from([0x6f, 0x6b, 0xc3, 0x28]);
      socket.write(
        Buffer.concat([
          frame(OPCODE.text, 'ok'),
          frame(OPCODE.text, bad),
          frame(OPCODE.binary, 'x'),
        ]),
      );
      socket.end(close(1000));
    };
    const r = await read();
    expect(r.digest).toMatchObject({ end: 'error', bytes: 1, chunks: 1 });
    expect(r.digest.error).toMatchObject({ code: 'INVALID_UTF8', stage: 'read' });
    expect(r.digest.error?.message).toMatch(/message #1 \(text #1, 4 B\)/);
    expect(r.digest.texts).toHaveLength(1);
    expect(r.close?.code).toBe(1000);
  });

  it('calls a TCP end without a Close an error', async () => {
    script = (socket, key) => {
      accept(socket, key);
      socket.end(frame(OPCODE.binary, 'abc'));
    };
    const r = await read();
    expect(r.digest).toMatchObject({ end: 'error', bytes: 3, error: { code: 'NO_CLOSE' } });
    expect(r.close).toBeUndefined();
  });

  it.each([
    [
      'a masked frame',
      encodeFrame({ fin: true, rsv: 0, opcode: 2, maskKey: Buffer.alloc(4, 1) }, Buffer.from('a')),
    ],
    ['an RSV bit', encodeFrame({ fin: true, rsv: 4, opcode: 2 }, Buffer.from('a'))],
    ['a stray continuation', frame(OPCODE.continuation, 'a')],
    ['a fragmented ping', frame(OPCODE.ping, 'a', false)],
  ])('fails the connection with 1002 on %s', async (_what, bad) => {
    let seen: ReturnType<typeof listen> | undefined;
    script = (socket, key) => {
      accept(socket, key);
      seen = listen(socket);
      socket.write(bad);
    };
    const r = await read();
    expect(r.digest).toMatchObject({ end: 'error', error: { code: 'PROTOCOL_ERROR' } });
    const reply = (seen as ReturnType<typeof listen>).frames[0];
    expect(reply.opcode).toBe(OPCODE.close);
    expect(reply.payload.readUInt16BE(0)).toBe(1002);
  });

  it.each([
    [409, 'Conflict'],
    [410, 'Gone'],
  ])('reports a refused upgrade as HTTP_%i', async (status, body) => {
    script = (socket) => {
      socket.end(`HTTP/1.1 ${status} ${body}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    };
    const r = await read();
    expect(r.digest.error).toMatchObject({ code: `HTTP_${status}`, stage: 'connect' });
    expect(r.http).toEqual({ status, body });
  });

  it('rejects a wrong Sec-WebSocket-Accept', async () => {
    script = (socket) => {
      socket.write('HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
      socket.write('Sec-WebSocket-Accept: bogus\r\n\r\n');
    };
    const r = await read();
    expect(r.digest.error).toMatchObject({ code: 'BAD_HANDSHAKE', stage: 'connect' });
  });

  it('times out at the deadline and stops after enough bytes', async () => {
    script = (socket, key) => accept(socket, key);
    const idle = await read({ deadlineMs: 300 });
    expect(idle.digest.end).toBe('timeout');

    let seen: ReturnType<typeof listen> | undefined;
    script = (socket, key) => {
      accept(socket, key);
      seen = listen(socket);
      for (let i = 0; i < 10; i++) socket.write(frame(OPCODE.binary, Buffer.alloc(1000)));
    };
    const stopped = await read({ stopAfterBytes: 2500 });
    expect(stopped.digest).toMatchObject({ end: 'stopped', bytes: 3000 });
    const sent = (seen as ReturnType<typeof listen>).frames;
    expect(sent[0].opcode).toBe(OPCODE.close);
    expect(sent[0].payload.readUInt16BE(0)).toBe(1000);
  });
});

describe('raw writer on the wire', () => {
  it('masks every frame, uses 64-bit lengths past 64 KiB, waits for the Close reply', async () => {
    let seen: ReturnType<typeof listen> | undefined;
    script = (socket, key) => {
      accept(socket, key);
      seen = listen(socket);
      // A ping once the data frame is in, answered during the pause.
      let pinged = false;
      socket.on('data', () => {
        const last = seen?.frames.at(-1);
        if (last?.opcode === OPCODE.binary && !pinged) socket.write(frame(OPCODE.ping, 'p'));
        if (last?.opcode === OPCODE.binary) pinged = true;
        if (last?.opcode === OPCODE.close) socket.end(close(4001));
      });
    };
    const w = await rawWrite({
      engineUrl: url,
      ref: { ...ref, direction: 'write' },
      ops: [
        { bytes: { seed: 'wire', length: 70_000, chunk: 0 } },
        { pause: { ms: 50 } },
        { close: { code: 4001, reason: 'bye' } },
      ],
      deadlineMs: 3000,
      cell: 'mock',
    });
    expect(w.digest).toMatchObject({ end: 'closed', bytes: 70_000, chunks: 1 });
    const frames = (seen as ReturnType<typeof listen>).frames;
    expect(frames.every((f) => f.masked)).toBe(true);
    expect(frames.map((f) => f.opcode)).toEqual([OPCODE.binary, OPCODE.pong, OPCODE.close]);
    expect(frames[0].payload.equals(seededStream('wire').slice(0, 70_000))).toBe(true);
    expect(frames[2].payload.subarray(2).toString()).toBe('bye');
  });

  it.each([
    ['no-close', 'fin'],
    ['reset', 'ECONNRESET'],
  ] as const)('ends by %s with no Close frame', async (how, tcp) => {
    let seen: ReturnType<typeof listen> | undefined;
    script = (socket, key) => {
      accept(socket, key);
      seen = listen(socket);
    };
    const ops = [{ bytes: { seed: 'x', length: 10 } }, { end: { how } }];
    const w = await rawWrite({ engineUrl: url, ref, ops, deadlineMs: 3000, cell: 'mock' });
    expect(w.digest.error?.code).toBe('ABORTED');
    const s = seen as ReturnType<typeof listen>;
    expect(await s.ended).toBe(tcp);
    expect(s.frames.map((f) => f.opcode)).toEqual([OPCODE.binary]);
  });
});
