// The npm iii-sdk against the reference broker: two workers, routed
// invocations, and a channel carrying 5 MiB plus texts byte-exactly.

import { type IIIClient, registerWorker } from 'iii-sdk';
import type { ChannelReader, ChannelWriter } from 'iii-sdk/channel';
import { createChannel } from 'iii-sdk/helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getJson,
  patternBytes,
  sha256,
  startTestBroker,
  type TestBroker,
  waitFor,
} from './helpers/reference-broker.ts';

let broker: TestBroker;
const clients: IIIClient[] = [];

function worker(name: string): IIIClient {
  const client = registerWorker(broker.wsUrl, {
    workerName: name,
    enableMetricsReporting: false,
    invocationTimeoutMs: 5000,
  });
  clients.push(client);
  return client;
}

async function functionsVisible(ids: string[]) {
  await waitFor(
    () => {
      const all = [...broker.workers.sessions.values()].flatMap((s) => [...s.functions]);
      return ids.every((id) => all.includes(id));
    },
    `functions ${ids.join(', ')}`,
  );
}

beforeAll(async () => {
  broker = await startTestBroker();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown().catch(() => {})));
  await broker.close();
});

describe('reference broker with the npm iii-sdk', () => {
  it('routes a trigger to the owner and injects _caller_worker_id', async () => {
    const a = worker('sdk-a');
    const b = worker('sdk-b');
    b.registerFunction('ref::echo', async (input: unknown) => ({ echoed: input }));
    await functionsVisible(['ref::echo']);

    const out = await a.trigger({ function_id: 'ref::echo', payload: { n: 1 } });
    const callerId = [...broker.workers.sessions.values()].find((s) => s.name === 'sdk-a')?.id;
    expect(out).toEqual({ echoed: { n: 1, _caller_worker_id: callerId } });

    await expect(a.trigger({ function_id: 'ref::missing', payload: {} })).rejects.toMatchObject({
      code: 'function_not_found',
    });
  });

  it('streams 5 MiB and texts across workers byte-exactly', async () => {
    const producer = worker('sdk-producer');
    const consumer = worker('sdk-consumer');
    consumer.registerFunction('ref::consume', async (input: { reader: ChannelReader }) => {
      const texts: string[] = [];
      input.reader.onMessage((msg) => texts.push(msg));
      const data = await input.reader.readAll();
      return { bytes: data.length, sha256: sha256(data), texts };
    });
    await functionsVisible(['ref::consume']);

    const payload = patternBytes(5 * 1024 * 1024 + 17);
    const channel = await createChannel(producer, 8);
    const result = producer.trigger({
      function_id: 'ref::consume',
      payload: { reader: channel.readerRef },
    });
    await writeAll(channel.writer, payload, ['first ✓', 'second 𝄞']);

    expect(await result).toEqual({
      bytes: payload.length,
      sha256: sha256(payload),
      texts: ['first ✓', 'second 𝄞'],
    });

    const diag = await getJson(broker, `channels/${channel.readerRef.channel_id}`);
    expect(diag.body.peakQueuedItems).toBeLessThanOrEqual(8);
    expect(diag.body.reader).toBe('done');
    expect(diag.text).not.toContain(channel.readerRef.access_key);
  });

  it('answers invocation_stopped when the callee leaves mid-call', async () => {
    const caller = worker('sdk-caller');
    const callee = worker('sdk-callee');
    callee.registerFunction('ref::hang', () => new Promise(() => {}));
    await functionsVisible(['ref::hang']);

    const call = caller.trigger({ function_id: 'ref::hang', payload: {} });
    await waitFor(() => broker.workers.router.inFlight > 0, 'the call to be in flight');
    await callee.shutdown();
    await expect(call).rejects.toMatchObject({ code: 'invocation_stopped' });
  });
});

async function writeAll(writer: ChannelWriter, data: Buffer, texts: string[]) {
  writer.sendMessage(texts[0] ?? '');
  await new Promise<void>((resolve, reject) => {
    writer.stream.write(data, (err) => (err ? reject(err) : resolve()));
  });
  writer.sendMessage(texts[1] ?? '');
  await new Promise<void>((resolve) => writer.stream.end(resolve));
}
