// The request messages as handlers see them: channel refs taken out
// (the SDK has already turned them into live ChannelReader/ChannelWriter
// objects), engine-added keys dropped, the rest validated and defaulted.
import { ChannelReader, ChannelWriter } from 'iii-sdk/channel';
import { InvalidRequest, parseStrict } from './schema.ts';

export type WriteStyle = 'AWAITED' | 'FIRE_AND_FORGET';
export type ReadStyle = 'READ_ALL' | 'STREAM' | 'TEXTS_ONLY';

export interface Slice {
  seed: string;
  offset: number;
  length: number;
}

export type Op =
  | { kind: 'bytes'; bytes: { seed: string; offset: number; length: number; chunk: number } }
  | { kind: 'text'; text: { value: string; repeat: number } }
  | { kind: 'pause'; pause: { ms: number } }
  | { kind: 'close' }
  | { kind: 'abort' }
  | { kind: 'exit'; exit: { code: number } };

export interface ReadSpec {
  style: ReadStyle;
  texts: boolean;
  start_delay_ms: number;
  chunk_delay_ms: number;
  stop_after_bytes: number;
  expect: Slice[];
  /** TEXTS_ONLY: the texts to wait for before closing the reader. */
  expect_texts: number;
}

export type RefPlacement = 'field' | 'array' | 'nested' | 'top';

export interface Produce {
  buffer_size: number;
  reader_function: string;
  read: ReadSpec | null;
  ref_placement: RefPlacement;
}

export interface WriteRequest {
  cell: string;
  plan: { ops: Op[]; style: WriteStyle };
  produce: Produce | null;
  deadline_ms: number;
  writer: ChannelWriter | null;
  /** Fan-out: `writer_2` ... `writer_<fanout>` in order (empty without fan-out). */
  fanout: ChannelWriter[];
}

export interface ReadRequest {
  cell: string;
  read: ReadSpec;
  deadline_ms: number;
  reader: ChannelReader;
}

export interface RelayRequest {
  cell: string;
  read: ReadSpec;
  style: WriteStyle;
  deadline_ms: number;
  reader: ChannelReader;
  writer: ChannelWriter;
}

export interface RecallRequest {
  cell: string;
}

type Raw = Record<string, unknown>;
const PLACEMENTS: readonly string[] = ['field', 'array', 'nested', 'top'];

/** A missing read spec means: read everything, with the text callback on. */
export const DEFAULT_READ: ReadSpec = {
  style: 'READ_ALL',
  texts: true,
  start_delay_ms: 0,
  chunk_delay_ms: 0,
  stop_after_bytes: 0,
  expect: [],
  expect_texts: 0,
};

function asObject(payload: unknown): Raw {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new InvalidRequest('', 'expected a JSON object');
  }
  return payload as Raw;
}

/** Keys the engine may add (the real one adds _caller_worker_id) are not ours to judge. */
function withoutEngineKeys(payload: Raw, refKeys: readonly string[]): Raw {
  const out: Raw = {};
  for (const [key, value] of Object.entries(payload)) {
    if (key.startsWith('_') || refKeys.includes(key)) continue;
    out[key] = value;
  }
  return out;
}

const writeStyle = (s: string): WriteStyle =>
  s === 'FIRE_AND_FORGET' ? 'FIRE_AND_FORGET' : 'AWAITED';

const readStyle = (s: unknown): ReadStyle =>
  s === 'STREAM' || s === 'TEXTS_ONLY' ? s : 'READ_ALL';

function readSpec(raw: Raw | null, fallback: ReadSpec): ReadSpec {
  if (!raw) return fallback;
  return { ...(raw as unknown as ReadSpec), style: readStyle(raw.style) };
}

function checkOps(ops: Raw[]): Op[] {
  return ops.map((op, i) => {
    if (typeof op.kind !== 'string') throw new InvalidRequest(`plan.ops[${i}]`, 'no operation set');
    return op as unknown as Op;
  });
}

/** Fan-out refs sit beside `writer` as writer_2, writer_3, ... (null counts as absent). */
const FANOUT_REF = /^writer_[0-9]+$/;

const fanoutRefKeys = (raw: Raw): string[] =>
  Object.keys(raw).filter((key) => FANOUT_REF.test(key) && raw[key] != null);

/**
 * writer_2 ... writer_<fanout>, in order. The SDK has turned each into a live
 * ChannelWriter just as it did `writer`; none may be missing, and none may
 * sit beyond the count or appear without fan-out, since a ref we never write
 * would leave its reader waiting for nothing.
 */
function fanoutWriters(raw: Raw, fanout: number): ChannelWriter[] {
  const count = Math.max(fanout, 1);
  for (const key of fanoutRefKeys(raw)) {
    if (count === 1)
      throw new InvalidRequest(key, 'a fan-out write ref, but fanout is not above 1');
    const k = Number(key.slice('writer_'.length));
    if (key !== `writer_${k}` || k < 2 || k > count) {
      throw new InvalidRequest(key, `not one of writer_2 ... writer_${count} (fanout ${fanout})`);
    }
  }
  const writers: ChannelWriter[] = [];
  for (let k = 2; k <= count; k++) {
    const ref = raw[`writer_${k}`];
    if (ref == null) {
      throw new InvalidRequest(`writer_${k}`, `missing write channel ref (fanout ${fanout})`);
    }
    if (!(ref instanceof ChannelWriter)) {
      throw new InvalidRequest(`writer_${k}`, 'expected a write channel ref');
    }
    writers.push(ref);
  }
  return writers;
}

export function parseWrite(payload: unknown): WriteRequest {
  const raw = asObject(payload);
  const writer = raw.writer ?? null;
  if (writer !== null && !(writer instanceof ChannelWriter)) {
    throw new InvalidRequest('writer', 'expected a write channel ref');
  }
  const refKeys = ['writer', ...Object.keys(raw).filter((key) => FANOUT_REF.test(key))];
  const msg = parseStrict<Raw>('WriteRequest', withoutEngineKeys(raw, refKeys));
  const plan = (msg.plan ?? { ops: [], style: 'AWAITED' }) as Raw;
  const produceRaw = msg.produce as Raw | null;

  let produce: Produce | null = null;
  if (produceRaw) {
    const placement = (produceRaw.ref_placement as string) || 'field';
    if (!PLACEMENTS.includes(placement)) {
      throw new InvalidRequest('produce.ref_placement', `expected one of ${PLACEMENTS}`);
    }
    if (!produceRaw.reader_function) {
      throw new InvalidRequest('produce.reader_function', 'must name the reader function');
    }
    produce = {
      buffer_size: produceRaw.buffer_size as number,
      reader_function: produceRaw.reader_function as string,
      read: (produceRaw.read as ReadSpec | null) ?? null,
      ref_placement: placement as RefPlacement,
    };
  }
  if (!produce && !writer) throw new InvalidRequest('writer', 'missing (and no produce)');
  if (produce && writer) throw new InvalidRequest('writer', 'must be absent with produce');
  const fanout = msg.fanout as number;
  if (produce && fanout > 1) {
    throw new InvalidRequest('fanout', 'must not be above 1 with produce (one created channel)');
  }

  return {
    cell: msg.cell as string,
    plan: { ops: checkOps(plan.ops as Raw[]), style: writeStyle(plan.style as string) },
    produce,
    deadline_ms: msg.deadline_ms as number,
    writer: writer as ChannelWriter | null,
    fanout: fanoutWriters(raw, fanout),
  };
}

/** The reader ref in the first placement that holds one (worker-contract.md order). */
function locateReader(raw: Raw): { reader: ChannelReader; key: string | null } | null {
  if (raw.reader instanceof ChannelReader) return { reader: raw.reader, key: 'reader' };
  const readers = raw.readers;
  if (Array.isArray(readers) && readers[0] instanceof ChannelReader) {
    if (readers.length !== 1) throw new InvalidRequest('readers', 'expected exactly one ref');
    return { reader: readers[0], key: 'readers' };
  }
  const input = raw.input as { channel?: { reader?: unknown } } | undefined;
  if (input?.channel?.reader instanceof ChannelReader) {
    return { reader: input.channel.reader, key: 'input' };
  }
  return null;
}

export function parseRead(payload: unknown): ReadRequest {
  // Placement "top": the whole payload was a ref, so there is no request.
  if (payload instanceof ChannelReader) {
    return { cell: '', read: DEFAULT_READ, deadline_ms: 0, reader: payload };
  }
  const raw = asObject(payload);
  const found = locateReader(raw);
  if (!found) throw new InvalidRequest('reader', 'missing read channel ref');
  const msg = parseStrict<Raw>('ReadRequest', withoutEngineKeys(raw, found.key ? [found.key] : []));
  return {
    cell: msg.cell as string,
    read: readSpec(msg.read as Raw | null, DEFAULT_READ),
    deadline_ms: msg.deadline_ms as number,
    reader: found.reader,
  };
}

export function parseRelay(payload: unknown): RelayRequest {
  const raw = asObject(payload);
  if (!(raw.reader instanceof ChannelReader)) {
    throw new InvalidRequest('reader', 'missing read channel ref');
  }
  if (!(raw.writer instanceof ChannelWriter)) {
    throw new InvalidRequest('writer', 'missing write channel ref');
  }
  const msg = parseStrict<Raw>('RelayRequest', withoutEngineKeys(raw, ['reader', 'writer']));
  // A relay passes binary on chunk by chunk, so its default is STREAM.
  const fallback: ReadSpec = { ...DEFAULT_READ, style: 'STREAM' };
  const read = readSpec(msg.read as Raw | null, fallback);
  // A relay must drain the binary side to pass it on; the contract never
  // asks one to only listen for texts.
  if (read.style === 'TEXTS_ONLY') {
    throw new InvalidRequest('read.style', 'TEXTS_ONLY is for readers only, never for a relay');
  }
  return {
    cell: msg.cell as string,
    read,
    style: writeStyle(msg.style as string),
    deadline_ms: msg.deadline_ms as number,
    reader: raw.reader,
    writer: raw.writer,
  };
}

export function parseRecall(payload: unknown): RecallRequest {
  const msg = parseStrict<Raw>('RecallRequest', withoutEngineKeys(asObject(payload), []));
  // The answer is about one cell; an empty id would name none of them.
  if (!msg.cell) throw new InvalidRequest('cell', 'must name the cell to recall');
  return { cell: msg.cell as string };
}
