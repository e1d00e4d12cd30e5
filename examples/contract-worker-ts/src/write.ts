// conformance::<lang>::write: perform a plan on a writer the caller handed
// over, or (produce) on a channel this worker creates itself while the reader
// function of another worker reads it.
import type { IIIClient } from 'iii-sdk';
import { createChannel } from 'iii-sdk/helpers';
import { within } from './deadline.ts';
import { DigestBuilder } from './digest.ts';
import { log, size } from './log.ts';
import { checkPlan, type PlanRun, runPlan } from './plan.ts';
import { findWriter, placeReaderRef, requestPart, WRITE_REF_KEYS } from './refs.ts';
import { InvalidRequest, validate, type WriteRequest } from './schema.ts';
import { WriterSink } from './writer-sink.ts';

const ROLE = 'writer';
/** How much longer than its own deadline a producer waits for its reader's answer. */
const READER_GRACE_MS = 5000;

export async function handleWrite(iii: IIIClient, lang: string, payload: unknown) {
  const digest = new DigestBuilder(ROLE, lang);
  const req = validate<WriteRequest>(
    'WriteRequest',
    requestPart(payload, WRITE_REF_KEYS, 'WriteRequest'),
  );
  checkPlan(req.plan, 'WriteRequest.plan');
  const cell = req.cell ?? '';
  if (req.produce) return produce(iii, req, digest);

  const sink = new WriterSink(findWriter(payload), req.plan?.style, digest);
  log(
    cell,
    ROLE,
    `start ${req.plan?.ops?.length ?? 0} ops, ${sink.awaited ? 'awaited' : 'fire-and-forget'}`,
  );
  return { digest: await perform(req, sink) };
}

/** Runs the plan within the deadline and returns the finished writer digest. */
async function perform(req: WriteRequest, sink: WriterSink): Promise<Record<string, unknown>> {
  const cell = req.cell ?? '';
  const run: PlanRun = { stopped: false };
  const inTime = await within(
    () => sink.digest.now(),
    req.deadline_ms,
    runPlan(req.plan, sink, run, cell, ROLE),
  );
  if (!inTime) {
    run.stopped = true;
    sink.giveUp();
    log(cell, ROLE, `deadline ${req.deadline_ms} ms passed after ${size(sink.digest.bytes)}`);
    return sink.digest.finish('timeout');
  }
  const result = sink.digest.finish(sink.closeCalled ? undefined : 'open');
  log(cell, ROLE, `${result.end} after ${size(sink.digest.bytes)}`);
  return result;
}

async function produce(iii: IIIClient, req: WriteRequest, digest: DigestBuilder) {
  const cell = req.cell ?? '';
  const p = req.produce ?? {};
  if (!p.reader_function) {
    throw new InvalidRequest('WriteRequest.produce.reader_function', 'must name a function');
  }
  digest.markStart();
  const channel = await createChannel(iii, p.buffer_size || undefined);
  const placement = p.ref_placement ?? '';
  const fields = {
    cell,
    ...(p.read ? { read: p.read } : {}),
    deadline_ms: req.deadline_ms ?? 0,
  };
  const payload = placeReaderRef(placement, channel.readerRef, fields);
  log(
    cell,
    ROLE,
    `created a channel; triggering ${p.reader_function} (ref ${placement || 'field'})`,
  );

  // The reader and the plan run at the same time, as the contract asks.
  const readerCall = iii.trigger({
    function_id: p.reader_function,
    payload,
    ...(req.deadline_ms ? { timeoutMs: req.deadline_ms + READER_GRACE_MS } : {}),
  });
  readerCall.catch(() => undefined);
  const sink = new WriterSink(channel.writer, req.plan?.style, digest);
  const writerDigest = await perform(req, sink);
  try {
    const result = (await readerCall) as { digest?: unknown };
    return { digest: writerDigest, reader_digest: result?.digest };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    log(cell, ROLE, `reader ${p.reader_function} failed: ${e.code ?? 'error'}`);
    // No reader digest to return: the call fails and names the reader's error.
    throw new Error(`READER_FAILED: ${p.reader_function}: ${e.code ?? 'error'}: ${e.message}`);
  }
}
