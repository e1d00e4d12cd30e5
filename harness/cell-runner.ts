// Runs one cell: creates the channels, starts every stage at once (workers
// through the engine, the raw peer in-process), and collects what each stage
// reports. Judging happens in cell-judge.ts.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engines/engine.ts';
import { type ProxyFault, proxiedSide, proxyFaultOf } from '../scenarios/types.ts';
import { shortenChannelTtl } from './engine-faults.ts';
import { type Expected, expectedForScenario } from './expected.ts';
import type { FaultAction, FaultRule } from './fault-proxy/index.ts';
import type { Cell } from './matrix.ts';
import { CallError, type ChannelRef, type Orchestrator } from './orchestrator.ts';
import { proxiedTag } from './proxied-workers.ts';
import type { RawOp } from './raw-peer/index.ts';
import { RAW, type RawStageResult, rawReaderStage, rawWriterStage } from './raw-stage.ts';
import { type RecallQuery, recallStage, type StageDigests, stageFrom } from './recall.ts';
import {
  parseReadResult,
  parseRelayResult,
  parseWriteResult,
  planToJson,
  readSpecToJson,
} from './schema/messages.ts';
import type { Digest } from './schema/types.ts';
import type { Secrets } from './secrets.ts';

/** What one stage produced: its digests, or why there are none. */
export interface StageReport {
  role: string;
  lang: string;
  digest?: Digest;
  /** relays report what they read and what they wrote */
  output?: Digest;
  failure?: { kind: 'timeout' | 'error'; code: string; message: string };
  /** raw peer stages: the frames as sent or received (sizes, types, codes) */
  frames?: unknown;
  /** raw peer stages: their log lines (workers log to their own stderr) */
  log?: string[];
  /** fan-out writers: the digests of writer_2 … writer_N */
  branches?: Digest[];
  /** the answer came from recall after an engine restart, not from the call */
  recalled?: boolean;
}

export interface CellRun {
  expected: Expected;
  stages: StageReport[];
  durationMs: number;
  /** ids of the channels the harness created, to pick this cell's engine log lines */
  channelIds: string[];
  /** proxy-fault cells: what the proxy did to the channel's connections */
  proxyEvents?: string[];
}

/** Margin between the worker-side deadline and the harness's own call timeout. */
const DEADLINE_MARGIN_MS = 2000;
/** A finished ref used again is refused or hangs: a few seconds tell which. */
const REUSE_DEADLINE_MS = 4000;
/** The idle side of a wrong-key cell only waits for a peer that never comes. */
const IDLE_DEADLINE_MS = 2000;

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
  read: (result: unknown) => StageDigests,
): Promise<StageReport> {
  try {
    return stageFrom(role, lang, await call, read);
  } catch (err) {
    const e = err instanceof CallError ? err : new CallError('?', 'ERROR', String(err));
    const kind = e.timedOut ? 'timeout' : 'error';
    return { role, lang, failure: { kind, code: e.code, message: e.message } };
  }
}

async function settleRaw(role: string, stage: Promise<RawStageResult>): Promise<StageReport> {
  try {
    const { digest, frames, log } = await stage;
    return { role, lang: RAW, digest, frames, log };
  } catch (err) {
    const message = `raw peer failed: ${(err as Error).message}`;
    return { role, lang: RAW, failure: { kind: 'error', code: 'RAW_PEER', message } };
  }
}

const need = (d: Digest | null | undefined, what: string): Digest => {
  if (!d) throw new Error(`${what} digest is missing`);
  return d;
};

export interface CellEnv {
  orch: Orchestrator;
  secrets: Secrets;
  engineUrl: string;
  /** restarted by engine-restart cells */
  engine: Pick<Engine, 'restart'>;
  /** the fault proxy, when the run has proxy-fault cells */
  proxy?: CellProxy;
}

export interface CellProxy {
  url: string;
  addRule(rule: FaultRule): () => void;
  eventsFor(channelId: string): string[];
}

export async function runCell(env: CellEnv, cell: Cell): Promise<CellRun> {
  const { orch, secrets, engineUrl } = env;
  const { scenario } = cell;
  const expected = expectedForScenario(scenario);
  const deadline = Math.max(1000, cell.timeoutMs - DEADLINE_MARGIN_MS);
  const fault = scenario.fault;
  const idle = Math.min(IDLE_DEADLINE_MS, deadline);
  // A text-only reader consumes no binary; it waits for as many texts as the plan sends.
  const readSpec =
    scenario.read.style === 'TEXTS_ONLY'
      ? { ...scenario.read, expect: [], expect_texts: expected.texts.length }
      : { ...scenario.read, expect: expected.slices };
  const read = readSpecToJson(readSpec);
  const plan = planToJson(scenario.plan);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const call = (id: string, payload: unknown, ms: number) =>
    orch.call(id, payload, ms + DEADLINE_MARGIN_MS);

  // An engine restart drops the calls in flight; their answers are recalled
  // from the workers once they have registered again. A failed restart leaves
  // no engine, so it ends the run.
  const restart =
    fault?.kind === 'engine-restart'
      ? sleep(fault.afterMs).then(() => env.engine.restart())
      : undefined;
  const sdkStage = (
    role: string,
    lang: string,
    name: RecallQuery['call'],
    payload: object,
    ms: number,
    read: (result: unknown) => StageDigests,
    tag = lang,
  ): Promise<StageReport> => {
    // A proxied twin reports its tag as its language; the cell's stage is the language.
    const asLang = (r: unknown) => renameLang(read(r), lang);
    const answered = settle(
      role,
      lang,
      call(fn(tag, name), payload, ms),
      tag === lang ? read : asLang,
    );
    if (!restart) return answered;
    const query = {
      role,
      lang,
      call: name,
      cell: cell.id,
      untilMs: started + ms + DEADLINE_MARGIN_MS,
    };
    // A call the restart cut off fails (iii answers invocation_stopped) or
    // hangs; either way only a digest it delivered counts, else the recall.
    let failed: StageReport | undefined;
    const delivered = answered.then((stage) => {
      if (!stage.failure) return stage;
      failed = stage;
      return new Promise<never>(() => {});
    });
    const recalled = restart.then(async () => {
      const stage = await recallStage(orch, query, read);
      return stage.failure?.code === 'LOST' && failed ? failed : stage;
    });
    return Promise.race([delivered, recalled]);
  };

  // A proxy fault puts one side behind the proxy: its URL, or its worker's proxied twin.
  const proxyFault = proxyFaultOf(scenario);
  const behindProxy = proxyFault ? proxiedSide(proxyFault) : undefined;
  if (proxyFault && !env.proxy) throw new Error('Internal error: a proxy fault but no proxy');
  const urlOf = (side: string) => (side === behindProxy ? (env.proxy?.url ?? '') : engineUrl);
  const tagOf = (side: string, lang: string) =>
    side === behindProxy && lang !== RAW ? proxiedTag(lang) : lang;

  const writeStage = (ref: ChannelRef | null, ms: number, extra: object = {}) =>
    cell.writer === RAW && ref
      ? settleRaw('writer', rawWriterStage(urlOf('writer'), ref, rawOpsOf(cell), cell.id, ms))
      : sdkStage(
          'writer',
          cell.writer,
          'write',
          { cell: cell.id, deadline_ms: ms, plan, ...(ref ? { writer: ref } : {}), ...extra },
          ms,
          (r) => {
            const result = parseWriteResult(r);
            const digest = need(result.digest, 'writer');
            return extra && 'produce' in extra
              ? { digest, output: need(result.reader_digest, 'reader') }
              : { digest };
          },
          tagOf('writer', cell.writer),
        );

  if (scenario.ownership === 'producer') {
    const produce = {
      buffer_size: scenario.bufferSize ?? 0,
      reader_function: fn(cell.reader, 'read'),
      read,
      ref_placement: scenario.refPlacement ?? 'field',
    };
    const writer = await writeStage(null, deadline, { produce });
    const reader: StageReport = writer.output
      ? { role: 'reader', lang: cell.reader, digest: writer.output }
      : { role: 'reader', lang: cell.reader, failure: writer.failure };
    const stages = [{ ...writer, output: undefined }, reader];
    return { expected, stages, durationMs: elapsed(), channelIds: [] };
  }

  const readFrom = (lang: string, role: string, ref: ChannelRef, ms: number, side = 'reader') =>
    lang === RAW
      ? settleRaw(role, rawReaderStage(urlOf(side), ref, readSpec, expected.slices, cell.id, ms))
      : sdkStage(
          role,
          lang,
          'read',
          { cell: cell.id, deadline_ms: ms, read, reader: ref },
          ms,
          (r) => ({
            digest: need(parseReadResult(r).digest, role),
          }),
          tagOf(side, lang),
        );

  if (cell.fanout?.length) {
    const readers = [cell.reader, ...cell.fanout];
    const channels = await Promise.all(readers.map(() => orch.createChannel(scenario.bufferSize)));
    const refs = Object.fromEntries(
      channels.slice(1).map((c, i) => [`writer_${i + 2}`, c.writer] as const),
    );
    const writer = sdkStage(
      'writer',
      cell.writer,
      'write',
      {
        cell: cell.id,
        deadline_ms: deadline,
        plan,
        fanout: readers.length,
        writer: channels[0].writer,
        ...refs,
      },
      deadline,
      (r) => {
        const result = parseWriteResult(r);
        const branches = result.fanout ?? [];
        if (branches.length !== readers.length - 1) {
          throw new Error(`${branches.length} fan-out digests for ${readers.length - 1} channels`);
        }
        return { digest: need(result.digest, 'writer'), branches };
      },
    );
    const reads = readers.map((lang, i) =>
      readFrom(lang, i === 0 ? 'reader' : `reader-${i + 1}`, channels[i].reader, deadline),
    );
    const [written, ...got] = await Promise.all([writer, ...reads]);
    const { branches = [], ...first } = written;
    const writers = branches.map(
      (digest, i): StageReport => ({ role: `writer-${i + 2}`, lang: cell.writer, digest }),
    );
    const channelIds = channels.map((c) => c.writer.channel_id);
    return { expected, stages: [first, ...writers, ...got], durationMs: elapsed(), channelIds };
  }

  // One channel per hop: writer -> relay_1 -> ... -> relay_n -> reader.
  const hops = await Promise.all(
    Array.from({ length: cell.relays.length + 1 }, () => orch.createChannel(scenario.bufferSize)),
  );
  if (fault?.kind === 'channel-ttl') {
    await shortenChannelTtl(engineUrl, hops[0].writer.channel_id, fault.ttlMs);
  }
  const removeRule = proxyFault ? installProxyRule(env, proxyFault, hops[0].writer) : undefined;
  // A writer that can never connect leaves the reader nothing to wait for.
  const stalledWriter = fault?.kind === 'stalled-upgrade' && fault.side === 'writer';
  const badWriter = fault?.kind === 'wrong-key' && fault.side === 'writer';
  const badReader = fault?.kind === 'wrong-key' && fault.side === 'reader';
  const last = hops[hops.length - 1];
  const writerRef = badWriter ? wrongKeyRef(hops[0].writer, secrets) : hops[0].writer;
  const readerRef = badReader ? wrongKeyRef(last.reader, secrets) : last.reader;

  const readStage = (role: string, ms: number) => readFrom(cell.reader, role, readerRef, ms);

  const calls: Promise<StageReport>[] = [writeStage(writerRef, badReader ? idle : deadline)];
  cell.relays.forEach((lang, i) => {
    const payload = {
      cell: cell.id,
      deadline_ms: deadline,
      read,
      style: scenario.plan.style ?? 'AWAITED',
      reader: hops[i].reader,
      writer: hops[i + 1].writer,
    };
    calls.push(
      sdkStage(`relay-${i + 1}`, lang, 'relay', payload, deadline, (r) => {
        const result = parseRelayResult(r);
        return {
          digest: need(result.input, 'relay input'),
          output: need(result.output, 'relay output'),
        };
      }),
    );
  });
  calls.push(readStage('reader', badWriter || stalledWriter ? idle : deadline));
  if (fault?.kind === 'second-reader') {
    // Same ref, same reader language, while the first reader holds the end.
    const late = Math.max(1000, deadline - fault.delayMs);
    calls.push(sleep(fault.delayMs).then(() => readStage('reader-2', late)));
  }

  const [stages] = await Promise.all([Promise.all(calls), restart]);
  removeRule?.();
  if (fault?.kind === 'reuse-after-finish')
    stages.push(await readStage('reader-2', REUSE_DEADLINE_MS));
  const channelIds = hops.map((h) => h.writer.channel_id);
  const proxyEvents = proxyFault ? env.proxy?.eventsFor(hops[0].writer.channel_id) : undefined;
  return { expected, stages, durationMs: elapsed(), channelIds, proxyEvents };
}

function renameLang(digests: StageDigests, lang: string): StageDigests {
  const rename = (d: Digest | undefined) => (d ? { ...d, lang } : d);
  return { ...digests, digest: rename(digests.digest), output: rename(digests.output) };
}

/** Arms the proxy for the cell's channel end; returns the disarming function. */
function installProxyRule(env: CellEnv, fault: ProxyFault, writer: ChannelRef): () => void {
  const direction = proxiedSide(fault) === 'writer' ? 'write' : 'read';
  const action: FaultAction =
    fault.kind === 'stalled-upgrade'
      ? { kind: 'stall-upgrade' }
      : { kind: 'reset-after', bytes: fault.afterBytes };
  return (env.proxy as CellProxy).addRule({ channelId: writer.channel_id, direction, action });
}

/** The SDKs' frame size: an ordinary plan on the raw writer is framed the same way. */
const SDK_FRAME = 64 * 1024;

/**
 * The raw writer runs the scenario's raw ops, or its ordinary plan framed as
 * the SDKs frame it (a write call of any size becomes frames of at most
 * 64 KiB), so a raw->SDK cell differs from an SDK->SDK one only in who
 * produced the frames.
 */
function rawOpsOf(cell: Cell): RawOp[] {
  if (cell.scenario.rawOps) return cell.scenario.rawOps;
  return cell.scenario.plan.ops.map((op): RawOp => {
    if (!('bytes' in op)) return op as RawOp;
    const chunk = op.bytes.chunk ?? 0;
    return { bytes: { ...op.bytes, chunk: chunk === 0 ? SDK_FRAME : Math.min(chunk, SDK_FRAME) } };
  });
}
