// The raw peer paired with a real SDK (npm iii-sdk) through the reference
// broker: raw frames past 64 KiB (and an empty one) into an SDK reader, and
// an SDK writer into the raw reader, which shows how the SDK frames a stream.
import { createHash } from 'node:crypto';
import { type IIIClient, registerWorker } from 'iii-sdk';
import { createChannel } from 'iii-sdk/helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRead, rawWrite, seededStream } from '../harness/raw-peer/index.ts';
import { startTestBroker, type TestBroker } from './helpers/reference-broker.ts';

let broker: TestBroker;
let client: IIIClient;

beforeAll(async () => {
  broker = await startTestBroker();
  client = registerWorker(broker.wsUrl, {
    workerName: `raw-peer-sdk-${process.pid}`,
    enableMetricsReporting: false,
    invocationTimeoutMs: 10_000,
  });
});

afterAll(async () => {
  await client.shutdown().catch(() => {});
  await broker.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('raw peer with the npm iii-sdk', () => {
  it('raw writer with frames > 64 KiB into an SDK reader (readAll)', async () => {
    const channel = await createChannel(client, 4);
    const texts: string[] = [];
    channel.reader.onMessage((text) => texts.push(text));
    const [w, data] = await Promise.all([
      rawWrite({
        engineUrl: broker.wsUrl,
        ref: channel.writerRef,
        ops: [
          { bytes: { seed: 'sdk', length: 600_001, chunk: 200_000 } },
          { frame: { opcode: 'binary' } },
          { text: { value: 'after the big frames' } },
          { bytes: { seed: 'sdk', offset: 600_001, length: 2 * 1024 * 1024, chunk: 0 } },
          { close: {} },
        ],
        deadlineMs: 20_000,
        cell: 'raw->ts',
      }),
      channel.reader.readAll(),
    ]);
    expect(w.digest).toMatchObject({ end: 'closed', chunks: 6, empty_chunks: 1 });
    const sizes = w.frames.entries.filter((e) => e.type === 'binary').map((e) => e.size);
    expect(sizes).toEqual([200_000, 200_000, 200_000, 1, 0, 2 * 1024 * 1024]);
    expect(data.length).toBe(w.digest.bytes);
    expect(sha256(data)).toBe(w.digest.sha256);
    expect(data.equals(seededStream('sdk').slice(0, data.length))).toBe(true);
    expect(texts).toEqual(['after the big frames']);
  });

  it('SDK writer into the raw reader: 64 KiB frames and the SDK Close', async () => {
    const channel = await createChannel(client, 4);
    const payload = seededStream('from-sdk').slice(0, 200_001);
    const readP = rawRead({
      engineUrl: broker.wsUrl,
      ref: channel.readerRef,
      deadlineMs: 20_000,
      cell: 'ts->raw',
      expect: [{ seed: 'from-sdk', offset: 0, length: 200_001 }],
    });
    await new Promise<void>((resolve, reject) => {
      channel.writer.stream.on('error', reject);
      channel.writer.stream.write(payload, (err) => (err ? reject(err) : resolve()));
    });
    channel.writer.stream.end();
    const r = await readP;

    expect(r.digest).toMatchObject({ end: 'closed', bytes: 200_001, sha256: sha256(payload) });
    expect(r.digest.mismatch).toBeUndefined();
    // The SDK splits binary into 64 KiB frames (notes §3.4); the broker keeps them.
    const sizes = r.frames.entries.filter((e) => e.type === 'binary').map((e) => e.size);
    expect(sizes).toEqual([65_536, 65_536, 65_536, 3_393]);
    // compat: the engine ends with a Close carrying no code (§3.4).
    expect(r.close?.code).toBe(1005);
  });
});
