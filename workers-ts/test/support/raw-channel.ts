// A raw WebSocket end of a channel, for evidence the SDK cannot give: the
// exact frames (kind, size, order) a writer put on the wire.
import WebSocket from 'ws';

export interface Frame {
  text: boolean;
  data: Buffer;
}

export interface Ref {
  channel_id: string;
  access_key: string;
}

export function channelUrl(wsUrl: string, ref: Ref, dir: 'read' | 'write'): string {
  const key = encodeURIComponent(ref.access_key);
  return `${wsUrl.replace(/\/$/, '')}/ws/channels/${ref.channel_id}?key=${key}&dir=${dir}`;
}

/** Reads every frame until the engine closes the channel (or `ms` pass). */
export function rawRead(wsUrl: string, ref: Ref, ms: number): Promise<Frame[] | 'timeout'> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    const ws = new WebSocket(channelUrl(wsUrl, ref, 'read'));
    const timer = setTimeout(() => {
      ws.terminate();
      resolve('timeout');
    }, ms);
    ws.on('message', (data: Buffer, isBinary: boolean) => frames.push({ text: !isBinary, data }));
    ws.on('close', () => {
      clearTimeout(timer);
      resolve(frames);
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Sends frames exactly as given, then a normal close. */
export async function rawWrite(wsUrl: string, ref: Ref, frames: Frame[]): Promise<void> {
  const ws = new WebSocket(channelUrl(wsUrl, ref, 'write'));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  for (const frame of frames) {
    await new Promise<void>((resolve, reject) =>
      ws.send(
        frame.text ? frame.data.toString('utf8') : frame.data,
        { binary: !frame.text },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  ws.close(1000);
  await new Promise((resolve) => ws.on('close', resolve));
}

/** Where each text frame sat: binary bytes before it, in wire order. */
export function textPositions(frames: Frame[]): { text: string; at_byte: number }[] {
  let bytes = 0;
  const out: { text: string; at_byte: number }[] = [];
  for (const frame of frames) {
    if (frame.text) out.push({ text: frame.data.toString('utf8'), at_byte: bytes });
    else bytes += frame.data.length;
  }
  return out;
}
