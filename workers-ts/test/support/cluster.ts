// One engine, one worker and one test client (the npm SDK, like the
// orchestrator), started per test file.
import { type IIIClient, registerWorker } from 'iii-sdk';
import type { Channel } from 'iii-sdk/channel';
import { createChannel } from 'iii-sdk/helpers';
import { type Child, type EngineKind, engineKind, startEngine, startWorker } from './processes.ts';

export interface Cluster {
  kind: EngineKind;
  wsUrl: string;
  engine: Child;
  worker: Child;
  client: IIIClient;
  call<T = unknown>(fn: string, payload: unknown, timeoutMs?: number): Promise<T>;
  channel(bufferSize?: number): Promise<Channel>;
  stop(): Promise<void>;
}

let seq = 0;

/** Polls describe until the worker's functions are routable. */
export async function waitForFunction(client: IIIClient, fn: string): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      await client.trigger({ function_id: fn, payload: {}, timeoutMs: 2000 });
      return;
    } catch (err) {
      if (Date.now() > until) throw new Error(`${fn} never became available: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startCluster(lang = 'ts'): Promise<Cluster> {
  const engine = await startEngine();
  const tag = `${process.pid}-${++seq}`;
  const worker = startWorker(engine.wsUrl, `conformance-ts-${tag}`, lang);
  const client = registerWorker(engine.wsUrl, { workerName: `e2e-client-${tag}` });
  await waitForFunction(client, `conformance::${lang}::describe`);
  return {
    kind: engineKind,
    wsUrl: engine.wsUrl,
    engine,
    worker,
    client,
    call: (fn, payload, timeoutMs = 30_000) =>
      client.trigger({ function_id: `conformance::${lang}::${fn}`, payload, timeoutMs }),
    channel: (bufferSize) => createChannel(client, bufferSize),
    async stop() {
      await client.shutdown();
      await worker.stop();
      await engine.stop();
    },
  };
}
