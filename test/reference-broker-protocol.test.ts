// The worker protocol over raw sockets: greeting, routing details the SDKs
// depend on, engine::channels::create input rules, and surviving bad input.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceBroker } from '../engines/reference/broker.ts';
import {
  HttpRefusal,
  openChannel,
  openRaw,
  openWorker,
  rawCreateChannel,
  startTestBroker,
  type TestBroker,
  waitFor,
} from './helpers/reference-broker.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker();
});

afterAll(async () => {
  await broker.close();
});

describe('worker protocol', () => {
  it('greets first, answers JSON ping, and routes with the same invocation_id', async () => {
    const a = await openWorker(broker.wsUrl);
    const b = await openWorker(broker.wsUrl);
    const greeting = await a.next((m) => m.type === 'workerregistered', 'greeting');
    expect(greeting.worker_id).toMatch(UUID_V4);
    expect(greeting.reattach_token).toMatch(UUID_V4);

    a.send({ type: 'ping' });
    await a.next((m) => m.type === 'pong', 'pong');

    b.send({ type: 'registerfunction', id: 'raw::fn' });
    await waitFor(() => broker.workers.router.findOwner('default', 'raw::fn'), 'registration');

    // Missing data is treated as null and still reaches the callee.
    const id = crypto.randomUUID();
    a.send({ type: 'invokefunction', invocation_id: id, function_id: 'raw::fn' });
    const call = await b.next((m) => m.type === 'invokefunction', 'the call at the callee');
    expect(call).toMatchObject({ invocation_id: id, function_id: 'raw::fn', data: null });

    // A null result goes back without a result key, like the engine.
    b.send({ type: 'invocationresult', invocation_id: id, function_id: 'raw::fn', result: null });
    const back = await a.next((m) => m.type === 'invocationresult', 'the result at the caller');
    expect(back).toEqual({ type: 'invocationresult', invocation_id: id, function_id: 'raw::fn' });

    // Object data gets _caller_worker_id; a void call gets a fresh id.
    a.send({
      type: 'invokefunction',
      function_id: 'raw::fn',
      data: { x: 1 },
      action: { type: 'void' },
    });
    const voidCall = await b.next(
      (m) => m.type === 'invokefunction' && m.invocation_id !== id,
      'void',
    );
    expect(voidCall.data).toEqual({ x: 1, _caller_worker_id: greeting.worker_id });
    expect(voidCall.invocation_id).toMatch(UUID_V4);

    a.ws.close();
    b.ws.close();
  });

  it('retires the previous connection on reattach with the right token only', async () => {
    const old = await openWorker(broker.wsUrl);
    const hello = await old.next((m) => m.type === 'workerregistered', 'greeting');
    old.send({ type: 'registerfunction', id: 'raw::old' });
    await waitFor(() => broker.workers.router.findOwner('default', 'raw::old'), 'registration');

    const impostor = await openWorker(broker.wsUrl);
    impostor.send({ type: 'reattach', previous_worker_id: hello.worker_id, reattach_token: 'x' });
    impostor.send({ type: 'ping' });
    await impostor.next((m) => m.type === 'pong', 'pong');
    expect(broker.workers.sessions.has(hello.worker_id as string)).toBe(true);

    const heir = await openWorker(broker.wsUrl);
    heir.send({
      type: 'reattach',
      previous_worker_id: hello.worker_id,
      reattach_token: hello.reattach_token,
    });
    expect((await old.closed).code).toBe(1006);
    expect(broker.workers.router.findOwner('default', 'raw::old')).toBeUndefined();
    impostor.ws.close();
    heir.ws.close();
  });

  it('rejects a second live worker with the same name, like the engine', async () => {
    const register = (name: string) => ({
      type: 'invokefunction',
      function_id: 'engine::workers::register',
      data: { name, runtime: 'raw' },
      action: { type: 'void' },
    });
    const first = await openWorker(broker.wsUrl);
    first.send(register('twin'));
    await waitFor(
      () => [...broker.workers.sessions.values()].some((s) => s.name === 'twin'),
      'name',
    );
    const second = await openWorker(broker.wsUrl);
    second.send(register('twin'));
    const rejected = await second.next((m) => m.type === 'registrationrejected', 'rejection');
    expect(rejected).toMatchObject({ code: 'WORKER_NAMESPACE_CONFLICT', worker_name: 'twin' });
    await second.closed;
    first.ws.close();
  });

  it('applies the engine rules to engine::channels::create input', async () => {
    const w = await openWorker(broker.wsUrl);
    const size = async (data: unknown) => {
      const msg = await rawCreateChannel(w, data);
      if (msg.error) return (msg.error as { code: string }).code;
      const id = (msg.result as { writer: { channel_id: string } }).writer.channel_id;
      return broker.channels.get(id)?.bufferSize;
    };
    expect(await size({})).toBe(64);
    expect(await size({ buffer_size: null })).toBe(64);
    expect(await size({ buffer_size: 0 })).toBe(1);
    expect(await size({ buffer_size: 5000 })).toBe(1024);
    expect(await size({ buffer_size: 7 })).toBe(7);
    expect(await size({ buffer_size: -1 })).toBe('deserialization_error');
    expect(await size({ buffer_size: 1.5 })).toBe('deserialization_error');
    expect(await size({ buffer_size: '8' })).toBe('deserialization_error');

    const msg = await rawCreateChannel(w, {});
    const { writer, reader } = msg.result as Record<string, Record<string, string>>;
    expect(writer).toEqual({
      channel_id: expect.stringMatching(UUID_V4),
      access_key: expect.stringMatching(UUID_V4),
      direction: 'write',
    });
    expect(reader).toEqual({ ...writer, direction: 'read' });
    w.ws.close();
  });

  it('logs and survives malformed, unknown and huge frames', async () => {
    const bad = await openWorker(broker.wsUrl);
    const before = broker.workers.malformedFrames;
    const junk: (string | Buffer)[] = [
      'not json',
      '[1,2,3]',
      '42',
      'null',
      '{"type":"nonsense"}',
      '{"no":"type"}',
      '{"type":"invokefunction"}',
      '{"type":"invocationresult","invocation_id":"nope"}',
      'x'.repeat(2 * 1024 * 1024),
      Buffer.from([0xff, 0x00, 0x13]),
    ];
    for (const frame of junk) bad.ws.send(frame);
    bad.ws.send(Buffer.from('OTLP telemetry is discarded'));
    bad.ws.send('   ');
    bad.send({ type: 'ping' });
    await bad.next((m) => m.type === 'pong', 'pong after junk');
    expect(broker.workers.malformedFrames - before).toBe(junk.length);

    // Over the 64 MiB message limit: that socket closes (1009), the broker stays.
    const huge = await openRaw(broker.wsUrl);
    huge.ws.send(Buffer.alloc(64 * 1024 * 1024 + 1));
    expect((await huge.closed).code).toBe(1009);

    const fresh = await openWorker(broker.wsUrl);
    fresh.send({ type: 'ping' });
    await fresh.next((m) => m.type === 'pong', 'pong on a fresh worker');
    expect(broker.lines.some((l) => l.includes('dropped') && l.includes('not JSON'))).toBe(true);
    bad.ws.close();
    fresh.ws.close();
  });

  it('accepts /otel and refuses unknown paths', async () => {
    const otel = await openRaw(`${broker.wsUrl}/otel`);
    otel.ws.send(Buffer.from('MTRC whatever'));
    otel.ws.close();
    await expect(openRaw(`${broker.wsUrl}/elsewhere`)).rejects.toBeInstanceOf(HttpRefusal);
  });

  it('refuses to listen anywhere but loopback', async () => {
    await expect(startReferenceBroker({ host: '0.0.0.0' })).rejects.toThrow(/loopback-only/);
  });

  it('never writes an access key to its log or diagnostics', async () => {
    const w = await openWorker(broker.wsUrl);
    const msg = await rawCreateChannel(w, {});
    const ref = (msg.result as { writer: { channel_id: string; access_key: string } }).writer;
    const key = ref.access_key;
    const reader = await openChannel(broker.wsUrl, ref.channel_id, key, 'read');
    reader.ws.close();
    await reader.closed;
    const res = await fetch(`${broker.diagnosticsUrl}channels`);
    expect(await res.text()).not.toContain(key);
    expect(broker.lines.join('\n')).not.toContain(key);
    w.ws.close();
  });
});
