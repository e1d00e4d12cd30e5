// The orchestrator is itself an iii worker on the npm SDK: it creates
// channels and hands their refs to the workers in trigger payloads, exactly as
// a user's own worker would. It never touches a channel socket itself.
import { registerWorker } from 'iii-sdk';
import { createChannel } from 'iii-sdk/helpers';
import type { Secrets } from './secrets.ts';

export interface ChannelRef {
  channel_id: string;
  access_key: string;
  direction: 'read' | 'write';
}

export interface ChannelRefs {
  writer: ChannelRef;
  reader: ChannelRef;
}

export class CallError extends Error {
  constructor(
    readonly functionId: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get timedOut(): boolean {
    return this.code === 'TIMEOUT';
  }
}

type Client = ReturnType<typeof registerWorker>;

// The npm SDK announces itself with console.debug ("[iii] Worker registered…",
// "[OTel] …"), which Node prints on stdout. The harness's stdout carries one
// line per cell for CI logs, so the SDK's own lines go to stderr, unchanged.
console.debug = (...args: unknown[]) => console.error(...args);

export class Orchestrator {
  private readonly client: Client;
  private stopped = false;

  constructor(
    wsUrl: string,
    workerName: string,
    private readonly secrets: Secrets,
  ) {
    this.client = registerWorker(wsUrl, {
      workerName,
      enableMetricsReporting: false,
      otel: { enabled: false },
      // Deadlines are per call; the reconnect loop must not keep a finished
      // run alive, so retries are bounded.
      reconnectionConfig: { maxRetries: 5 },
    });
  }

  async createChannel(bufferSize?: number): Promise<ChannelRefs> {
    const channel = await createChannel(this.client, bufferSize);
    const refs = { writer: channel.writerRef, reader: channel.readerRef } as ChannelRefs;
    this.secrets.add(refs.writer.access_key);
    this.secrets.add(refs.reader.access_key);
    return refs;
  }

  /** True once stop() was called: the run is over and no call will be answered. */
  get isStopped(): boolean {
    return this.stopped;
  }

  async call(functionId: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    if (this.stopped) throw new CallError(functionId, 'STOPPED', 'the run is stopping');
    try {
      return await this.client.trigger({ function_id: functionId, payload, timeoutMs });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw new CallError(
        functionId,
        e.code ?? 'ERROR',
        this.secrets.redact(e.message ?? String(err)),
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client.shutdown();
  }
}
