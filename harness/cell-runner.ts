// Runs one cell: creates the channels, triggers every stage at once, and
// collects what each worker reports. Judging happens in cell-judge.ts.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Expected, expectedFor } from './expected.ts';
import type { Cell } from './matrix.ts';
import { CallError, type ChannelRef, type Orchestrator } from './orchestrator.ts';
import {
  parseReadResult,
  parseRelayResult,
  parseWriteResult,
  planToJson,
  readSpecToJson,
} from './schema/messages.ts';
import type { Digest } from './schema/types.ts';
import type { Secrets } from './secrets.ts';

/** What one stage's call produced: its digests, or why there are none. */
export interface StageReport {
  role: string;
  lang: string;
  digest?: Digest;
  /** relays report what they read and what they wrote */
  output?: Digest;
  failure?: { kind: 'timeout' | 'error'; code: string; message: string };
}

export interface CellRun {
  expected: Expected;
  stages: StageReport[];
  durationMs: number;
  /** ids of the channels the harness created, to pick this cell's engine log lines */
  channelIds: string[];
}

/** Margin between the worker-side deadline and the harness's own call timeout. */
const DEADLINE_MARGIN_MS = 2000;
/** A finished ref used again is refused or hangs: a few seconds tell which. */
const REUSE_DEADLINE_MS = 4000;

const fn = (lang: string, name: string) => `conformance::${lang}::${name}`;

function wrongKeyRef(ref: ChannelRef, secrets: Secrets): ChannelRef {
  const key = randomUUID();
  secrets.add(key);
  return { ...ref, access_key: key };
}

async function settle(
  role: string,
  lang: string,
  call: Promise<unknown>,
  read: (result: unknown) => Pick<StageReport, 'digest' | 'output'>,
): Promise<StageReport> {
  try {
    const result = await call;
    try {
      return { role, lang, ...read(result) };
    } catch (err) {
      const message = `malformed result: ${(err as Error).message}`;
      return { role, lang, failure: { kind: 'error', code: 'SCHEMA', message } };
    }
  } catch (err) {
    const e = err instanceof CallError ? err : new CallError('?', 'ERROR', String(err));
    const kind = e.timedOut ? 'timeout' : 'error';
    return { role, lang, failure: { kind, code: e.code, message: e.message } };
  }
}

const need = (d: Digest | null | undefined, what: string): Digest => {
  if (!d) throw new Error(`${what} digest is missing`);
  return d;
};

export async function runCell(orch: Orchestrator, secrets: Secrets, cell: Cell): Promise<CellRun> {
  const { scenario } = cell;
  const expected = expectedFor(scenario.plan);
  const workerDeadline = Math.max(1000, cell.timeoutMs - DEADLINE_MARGIN_MS);
  const common = { cell: cell.id, deadline_ms: workerDeadline };
  // With a wrong key on one side, the other side only waits for a peer that
  // never comes; it is there for realism, not judged, so it need not wait long.
  const fault = scenario.fault;
  const idleDeadline =
    fault?.kind === 'wrong-key' ? Math.min(2000, workerDeadline) : workerDeadline;
  const read = readSpecToJson({ ...scenario.read, expect: expected.slices });
  const plan = planToJson(scenario.plan);
  const started = performance.now();
  const call = (id: string, payload: unknown) => orch.call(id, payload, cell.timeoutMs);

  if (scenario.ownership === 'producer') {
    const produce = {
      buffer_size: scenario.bufferSize ?? 0,
      reader_function: fn(cell.reader, 'read'),
      read,
      ref_placement: scenario.refPlacement ?? 'field',
    };
    const writer = await settle(
      'writer',
      cell.writer,
      call(fn(cell.writer, 'write'), {
        ...common,
        plan,
        produce,
      }),
      (r) => {
        const result = parseWriteResult(r);
        return {
          digest: need(result.digest, 'writer'),
          output: need(result.reader_digest, 'reader'),
        };
      },
    );
    const reader: StageReport = writer.output
      ? { role: 'reader', lang: cell.reader, digest: writer.output }
      : { role: 'reader', lang: cell.reader, failure: writer.failure };
    const stages = [{ ...writer, output: undefined }, reader];
    return { expected, stages, durationMs: elapsed(), channelIds: [] };
  }

  // One channel per hop: writer -> relay_1 -> ... -> relay_n -> reader.
  const hops = await Promise.all(
    Array.from({ length: cell.relays.length + 1 }, () => orch.createChannel(scenario.bufferSize)),
  );
  const writerRef =
    fault?.kind === 'wrong-key' && fault.side === 'writer'
      ? wrongKeyRef(hops[0].writer, secrets)
      : hops[0].writer;
  const last = hops[hops.length - 1];
  const readerRef =
    fault?.kind === 'wrong-key' && fault.side === 'reader'
      ? wrongKeyRef(last.reader, secrets)
      : last.reader;

  const calls: Promise<StageReport>[] = [];
  calls.push(
    settle(
      'writer',
      cell.writer,
      call(fn(cell.writer, 'write'), {
        ...common,
        deadline_ms:
          fault?.kind === 'wrong-key' && fault.side === 'reader' ? idleDeadline : workerDeadline,
        plan,
        writer: writerRef,
      }),
      (r) => ({ digest: need(parseWriteResult(r).digest, 'writer') }),
    ),
  );
  cell.relays.forEach((lang, i) => {
    const payload = {
      ...common,
      read,
      style: scenario.plan.style ?? 'AWAITED',
      reader: hops[i].reader,
      writer: hops[i + 1].writer,
    };
    calls.push(
      settle(`relay-${i + 1}`, lang, call(fn(lang, 'relay'), payload), (r) => {
        const result = parseRelayResult(r);
        return {
          digest: need(result.input, 'relay input'),
          output: need(result.output, 'relay output'),
        };
      }),
    );
  });
  const readWith = (role: string, deadline: number) =>
    settle(
      role,
      cell.reader,
      orch.call(
        fn(cell.reader, 'read'),
        { ...common, deadline_ms: deadline, read, reader: readerRef },
        deadline + DEADLINE_MARGIN_MS,
      ),
      (r) => ({ digest: need(parseReadResult(r).digest, role) }),
    );
  const readerIdle = fault?.kind === 'wrong-key' && fault.side === 'writer';
  calls.push(readWith('reader', readerIdle ? idleDeadline : workerDeadline));
  if (fault?.kind === 'second-reader') {
    // Same ref, same worker language, while the first reader holds the end.
    const late = Math.max(1000, workerDeadline - fault.delayMs);
    calls.push(sleep(fault.delayMs).then(() => readWith('reader-2', late)));
  }

  const stages = await Promise.all(calls);
  if (fault?.kind === 'reuse-after-finish') {
    stages.push(await readWith('reader-2', REUSE_DEADLINE_MS));
  }
  const channelIds = hops.map((h) => h.writer.channel_id);
  return { expected, stages, durationMs: elapsed(), channelIds };

  function elapsed(): number {
    return Math.round(performance.now() - started);
  }
}
