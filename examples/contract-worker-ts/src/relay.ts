// conformance::<lang>::relay: read one channel and write every chunk and text
// on to another, in the order the SDK hands them over, then close the output.
// Texts arrive by callback, so they are sent on the moment they arrive; binary
// chunks are written as the reader yields them.
import { within } from './deadline.ts';
import { DigestBuilder } from './digest.ts';
import { log, size } from './log.ts';
import { DEFAULT_READ, drainReader, type ReadDrain } from './read.ts';
import { findReader, findWriter, RELAY_REF_KEYS, requestPart } from './refs.ts';
import { type RelayRequest, validate } from './schema.ts';
import { WriterSink } from './writer-sink.ts';

export async function handleRelay(lang: string, payload: unknown) {
  const req = validate<RelayRequest>(
    'RelayRequest',
    requestPart(payload, RELAY_REF_KEYS, 'RelayRequest'),
  );
  const reader = findReader(payload);
  const input = new DigestBuilder('relay-in', lang);
  const sink = new WriterSink(findWriter(payload), req.style, new DigestBuilder('relay-out', lang));
  const spec = req.read ?? DEFAULT_READ;
  const cell = req.cell ?? '';
  log(
    cell,
    'relay',
    `start ${spec.style ?? 'READ_ALL'} -> ${sink.awaited ? 'awaited' : 'fire-and-forget'}`,
  );

  const drain: ReadDrain = {
    digest: input,
    stopped: false,
    // A failing output is the output's error, not the input's.
    onChunk: async (chunk) => {
      if (sink.digest.end === 'error') return;
      await sink.write(chunk).catch((err) => sink.digest.fail('write', err));
    },
    onText: (text) => sink.text(text),
  };
  const work = (async () => {
    await drainReader(reader, spec, drain);
    try {
      await sink.close();
    } catch (err) {
      sink.digest.fail('close', err);
    }
  })();
  const inTime = await within(() => input.now(), req.deadline_ms, work);
  if (!inTime) {
    drain.stopped = true;
    reader.close();
    sink.giveUp();
    log(cell, 'relay', `deadline ${req.deadline_ms} ms passed after ${size(input.bytes)} in`);
    return { input: input.finish('timeout'), output: sink.digest.finish('timeout') };
  }
  log(cell, 'relay', `${input.end} after ${size(input.bytes)} in, ${size(sink.digest.bytes)} out`);
  return { input: input.finish(), output: sink.digest.finish() };
}
