// Requests the worker must refuse, deadlines, faults it must survive, and the
// process lifecycle the contract asks for (exit op, stdin EOF, SIGTERM).

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../src/digest.ts';
import { type Cluster, startCluster, waitForFunction } from './support/cluster.ts';
import type { PlanOp } from './support/expectation.ts';
import { engineAvailable, startWorker } from './support/processes.ts';

const installed = JSON.parse(
  readFileSync(new URL('../../node_modules/iii-sdk/package.json', import.meta.url), 'utf8'),
) as { version: string };

describe.skipIf(!engineAvailable)('lifecycle and faults', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('describes itself with the installed SDK version', async () => {
    const d = await c.call<Record<string, unknown>>('describe', { anything: true });
    expect(d).toMatchObject({
      lang: 'ts',
      contract_version: '1',
      sdk: { name: 'iii-sdk (npm)', version: installed.version },
      capabilities: { fanout: true },
    });
    const caps = d.capabilities as { read_styles: string[] };
    expect(caps.read_styles).toContain('TEXTS_ONLY');
  });

  // iii-sdk 0.22.1 sends every handler throw as code "invocation_failed",
  // so INVALID_REQUEST can only travel at the head of the message.
  it('answers an invalid request with an invocation error naming the field', async () => {
    const ch = await c.channel();
    const payload = {
      cell: 'bad',
      plan: { ops: [{ bytes: { length: -1 } }] },
      writer: ch.writerRef,
    };
    const err = await c.call('write', payload).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invocation_failed' });
    expect((err as Error).message).toContain('INVALID_REQUEST: plan.ops[0].bytes.length');
    // and keeps serving
    await expect(c.call('describe', {})).resolves.toMatchObject({ lang: 'ts' });
  });

  it('stops at its deadline with end "timeout" when no writer comes', async () => {
    const ch = await c.channel();
    const started = Date.now();
    const r = await c.call<{ digest: Digest }>('read', {
      cell: 'lifecycle/no-writer',
      read: { style: 'STREAM' },
      reader: ch.readerRef,
      deadline_ms: 700,
    });
    expect(r.digest.end).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a rejected writer connect as an error at the connect stage', async () => {
    const ch = await c.channel();
    const writer = { ...ch.writerRef, access_key: 'not-the-key' };
    const ops: PlanOp[] = [{ bytes: { seed: 'k', length: 10 } }, { close: {} }];
    const w = await c.call<{ digest: Digest }>('write', {
      cell: 'lifecycle/wrong-key',
      plan: { style: 'AWAITED', ops },
      writer,
      deadline_ms: 5000,
    });
    expect(w.digest).toMatchObject({ end: 'error', error: { stage: 'connect' } });
    expect(JSON.stringify(w.digest)).not.toContain('not-the-key');
    expect(c.worker.log.join('\n')).not.toContain('not-the-key');
  });

  it('abort drops the socket; the reader sees what arrived before it', async () => {
    const ch = await c.channel();
    const ops: PlanOp[] = [{ bytes: { seed: 'abort', length: 200_000 } }, { abort: {} }];
    const [w, r] = await Promise.all([
      c.call<{ digest: Digest }>('write', {
        cell: 'lifecycle/abort',
        plan: { style: 'AWAITED', ops },
        writer: ch.writerRef,
        deadline_ms: 5000,
      }),
      c.call<{ digest: Digest }>('read', {
        cell: 'lifecycle/abort',
        read: { style: 'STREAM' },
        reader: ch.readerRef,
        deadline_ms: 5000,
      }),
    ]);
    expect(w.digest).toMatchObject({ end: 'aborted' });
    // On the compat broker, as on the real engine, a writer that vanishes
    // looks like a clean end to the reader (notes §3.6).
    console.info(`abort: reader ended ${r.digest.end} with ${r.digest.bytes} of 200000 B`);
    expect(r.digest.bytes).toBeLessThanOrEqual(200_000);
  });

  it('exit op ends the worker process with the given code', async () => {
    const doomed = startWorker(c.wsUrl, `conformance-exit-${process.pid}`, 'tsexit');
    await waitForFunction(c.client, 'conformance::tsexit::describe');
    const ch = await c.channel();
    const exited = once(doomed.proc, 'exit');
    const ops: PlanOp[] = [{ bytes: { seed: 'e', length: 100 } }, { exit: { code: 7 } }];
    const call = c.client.trigger({
      function_id: 'conformance::tsexit::write',
      payload: { cell: 'lifecycle/exit', plan: { ops }, writer: ch.writerRef },
      timeoutMs: 5000,
    });
    const [[code]] = await Promise.all([exited, call.catch(() => undefined)]);
    expect(code).toBe(7);
  });

  it('exits when stdin closes and on SIGTERM', async () => {
    const a = startWorker(c.wsUrl, `conformance-eof-${process.pid}`, 'tseof');
    await waitForFunction(c.client, 'conformance::tseof::describe');
    expect(await a.stop()).toBe(0);

    const b = startWorker(c.wsUrl, `conformance-term-${process.pid}`, 'tsterm');
    await waitForFunction(c.client, 'conformance::tsterm::describe');
    const exited = once(b.proc, 'exit');
    b.proc.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
