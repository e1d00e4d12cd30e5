// Producer ownership: the writer creates the channel itself, hands the reader
// ref to another function and writes its plan at the same time.
import type { IIIClient } from 'iii-sdk';
import type { StreamChannelRef } from 'iii-sdk/channel';
import { createChannel } from 'iii-sdk/helpers';
import { type Digest, DigestBuilder, errorInfo } from './digest.ts';
import { type RunContext, runPlan } from './plan.ts';
import type { Produce, WriteRequest } from './requests.ts';

/** How long past its own deadline we wait for the reader's digest to arrive. */
const READER_GRACE_MS = 2000;

export function readerPayload(ref: StreamChannelRef, req: WriteRequest, produce: Produce): unknown {
  const base: Record<string, unknown> = { cell: req.cell, deadline_ms: req.deadline_ms };
  if (produce.read) base.read = produce.read;
  switch (produce.ref_placement) {
    case 'top':
      return ref;
    case 'array':
      return { ...base, readers: [ref] };
    case 'nested':
      return { ...base, input: { channel: { reader: ref } } };
    default:
      return { ...base, reader: ref };
  }
}

/** conformance::py::read -> py, so a reader that never answered still gets a lang. */
const langOf = (fn: string) => fn.split('::')[1] ?? '';

function failedReader(fn: string, ctx: RunContext, err: unknown, end: 'error' | 'timeout'): Digest {
  const digest = new DigestBuilder('reader', langOf(fn), ctx.entry);
  digest.finish(end, end === 'error' ? errorInfo(err, 'read') : undefined);
  return digest.build();
}

export async function produce(
  iii: IIIClient,
  req: WriteRequest,
  spec: Produce,
  ctx: RunContext,
): Promise<{ digest: Digest; reader_digest?: Digest }> {
  const log = ctx.log.child('writer');
  let channel: Awaited<ReturnType<typeof createChannel>>;
  try {
    // buffer_size 0 means "let the engine choose": the SDK then sends none.
    channel = await ctx.deadline.race(createChannel(iii, spec.buffer_size || undefined));
  } catch (err) {
    log(`createChannel failed: ${(err as Error).message}`);
    const digest = new DigestBuilder('writer', ctx.lang, ctx.entry);
    digest.finish('error', errorInfo(err, 'connect'));
    return { digest: digest.build() };
  }

  log(`channel created; triggering ${spec.reader_function} (${spec.ref_placement})`);
  const timeoutMs = req.deadline_ms > 0 ? req.deadline_ms + READER_GRACE_MS : undefined;
  const readerCall = iii.trigger<unknown, { digest?: Digest }>({
    function_id: spec.reader_function,
    payload: readerPayload(channel.readerRef, req, spec),
    timeoutMs,
  });
  readerCall.catch(() => {});

  const digest = await runPlan(channel.writer, req.plan, ctx);

  let reader_digest: Digest;
  try {
    const result = await readerCall;
    reader_digest = result?.digest ?? failedReader(spec.reader_function, ctx, 'no digest', 'error');
  } catch (err) {
    const code = (err as { code?: string }).code;
    log(`reader call failed: ${code ?? ''} ${(err as Error).message}`);
    const end = code === 'TIMEOUT' ? 'timeout' : 'error';
    reader_digest = failedReader(spec.reader_function, ctx, err, end);
  }
  return { digest, reader_digest };
}
