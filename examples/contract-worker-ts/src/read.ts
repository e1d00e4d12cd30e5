// conformance::<lang>::read: drain a channel with the SDK reader in the
// requested style and report what arrived, with byte-level evidence when the
// request says what to expect.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelReader } from 'iii-sdk/channel';
import { corrupt, dropsTexts } from './break.ts';
import { within } from './deadline.ts';
import { DigestBuilder } from './digest.ts';
import { ExpectCursor } from './expect.ts';
import { log, size } from './log.ts';
import { findReader, READ_REF_KEYS, requestPart } from './refs.ts';
import { type ReadRequest, type ReadSpec, validate } from './schema.ts';

/** A missing `read` means READ_ALL with the text callback. */
export const DEFAULT_READ: ReadSpec = { style: 'READ_ALL', texts: true };

export interface ReadDrain {
  digest: DigestBuilder;
  /** binary chunks as consumed, after the byte was counted (relays write them on) */
  onChunk?: (chunk: Buffer) => Promise<void>;
  onText?: (text: string) => void;
  /** set once the deadline passed: the loop stops taking chunks */
  stopped: boolean;
}

/** Reads `reader` per `spec` into `drain`; returns when the stream ended or stopped. */
export async function drainReader(
  reader: ChannelReader,
  spec: ReadSpec,
  drain: ReadDrain,
): Promise<void> {
  const { digest } = drain;
  const expect = spec.expect?.length ? new ExpectCursor(spec.expect) : undefined;
  const consume = async (raw: Buffer) => {
    const chunk = corrupt(raw);
    digest.chunk(chunk);
    expect?.chunk(chunk);
    await drain.onChunk?.(chunk);
  };
  if (spec.start_delay_ms) await sleep(spec.start_delay_ms);
  if (spec.texts && !dropsTexts()) {
    reader.onMessage((text) => {
      digest.text(text);
      drain.onText?.(text);
    });
  }
  digest.markStart();
  try {
    if (spec.style === 'STREAM') {
      await streamChunks(reader, spec, drain, consume);
    } else {
      await consume(await reader.readAll());
    }
  } catch (err) {
    digest.fail(digest.bytes > 0 || digest.chunks > 0 ? 'read' : 'connect', err);
  }
  digest.mismatch = expect?.finish();
}

async function streamChunks(
  reader: ChannelReader,
  spec: ReadSpec,
  drain: ReadDrain,
  consume: (chunk: Buffer) => Promise<void>,
): Promise<void> {
  // A manual iterator: stopping early must not destroy the stream (which
  // would drop the socket); the SDK's close() is what ends it.
  const chunks = reader.stream[Symbol.asyncIterator]();
  for (;;) {
    const next = await chunks.next();
    if (next.done || drain.stopped) return;
    await consume(Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value));
    if (spec.stop_after_bytes && drain.digest.bytes >= spec.stop_after_bytes) {
      reader.close();
      drain.digest.end = 'stopped';
      return;
    }
    if (spec.chunk_delay_ms) await sleep(spec.chunk_delay_ms);
  }
}

export async function handleRead(lang: string, payload: unknown) {
  const digest = new DigestBuilder('reader', lang);
  const req = validate<ReadRequest>(
    'ReadRequest',
    requestPart(payload, READ_REF_KEYS, 'ReadRequest'),
  );
  const reader = findReader(payload);
  const spec = req.read ?? DEFAULT_READ;
  const cell = req.cell ?? '';
  log(cell, 'reader', `start ${spec.style ?? 'READ_ALL'}${spec.texts ? ' with texts' : ''}`);

  const drain: ReadDrain = { digest, stopped: false };
  const inTime = await within(
    () => digest.now(),
    req.deadline_ms,
    drainReader(reader, spec, drain),
  );
  if (!inTime) {
    drain.stopped = true;
    reader.close();
    log(cell, 'reader', `deadline ${req.deadline_ms} ms passed after ${size(digest.bytes)}`);
    return { digest: digest.finish('timeout') };
  }
  const result = digest.finish();
  log(cell, 'reader', `${result.end} after ${size(digest.bytes)}, ${digest.chunks} chunks`);
  return { digest: result };
}
