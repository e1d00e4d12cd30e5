// Drains one SDK ChannelReader the way the read spec says and returns its
// digest. Texts are recorded in callback order with the bytes this worker had
// consumed when the callback ran: with readAll() that is 0 until it returns,
// and with iteration the SDK may run a text callback before the binary that
// preceded it on the wire has been handed out. Both are what users see.
import type { ChannelReader } from 'iii-sdk/channel';
import { DeadlineExceeded } from './deadline.ts';
import { type Digest, DigestBuilder, errorInfo, type Role, type Stage, stageOf } from './digest.ts';
import { ExpectComparator } from './expect.ts';
import { formatBytes } from './log.ts';
import type { RunContext } from './plan.ts';
import type { ReadSpec } from './requests.ts';

/** Resolves `reached` once `count` texts have arrived (at once for 0). */
function textCounter(count: number): { reached: Promise<void>; arrived(): void } {
  let seen = 0;
  let resolve = () => {};
  const reached = new Promise<void>((r) => {
    resolve = r;
  });
  if (count === 0) resolve();
  return {
    reached,
    arrived: () => {
      seen += 1;
      if (seen >= count) resolve();
    },
  };
}

/** Where a relay sends what it reads; plain reads have none. */
export interface ReadSink {
  chunk(buf: Buffer): Promise<void> | void;
  text(value: string): void;
}

export async function readChannel(
  reader: ChannelReader,
  spec: ReadSpec,
  ctx: RunContext,
  role: Role,
  sink?: ReadSink,
): Promise<Digest> {
  const digest = new DigestBuilder(role, ctx.lang, ctx.entry);
  const log = ctx.log.child(role);
  const compare = spec.expect.length > 0 ? new ExpectComparator(spec.expect) : undefined;
  let stage: Stage = 'read';

  // A user-side 'error' listener (notes §4.11), attached before anything can
  // fail: an unhandled 'error' event would take the whole worker down.
  let streamError: unknown;
  const failed = new Promise<never>((_, reject) => {
    reader.stream.on('error', (err) => {
      streamError ??= err;
      log(`stream error: ${err.message}`);
      reject(err);
    });
  });
  failed.catch(() => {});

  const take = async (chunk: Buffer) => {
    digest.addChunk(chunk);
    compare?.feed(chunk);
    await sink?.chunk(chunk);
  };

  try {
    await ctx.deadline.sleep(spec.start_delay_ms);
    digest.started();
    const textsOnly = spec.style === 'TEXTS_ONLY';
    const texts = textCounter(spec.expect_texts);
    if (spec.texts || textsOnly) {
      reader.onMessage((value) => {
        digest.addText(value);
        sink?.text(value);
        texts.arrived();
      });
    }
    log(
      textsOnly
        ? `listening for ${spec.expect_texts} texts with the text callback alone`
        : `reading, ${spec.style}${spec.texts ? ' with text callback' : ''}`,
    );

    if (textsOnly) {
      // A user who only listens for messages: no readAll(), no iteration, no
      // 'data' listener, nothing that pulls binary. Whether a text ever comes
      // is the SDK's doing alone (npm 0.22.1 opens the socket only when the
      // Readable is read, so none do: the finding this style exists for).
      await ctx.deadline.race(Promise.race([texts.reached, failed]));
      stage = 'close';
      reader.close();
      digest.finish('stopped');
    } else if (spec.style === 'READ_ALL') {
      const all = await ctx.deadline.race(reader.readAll());
      // readAll() surfaces one buffer; an empty stream surfaces none.
      if (all.length > 0) await take(all);
      digest.finish('closed');
    } else {
      const chunks = reader.stream[Symbol.asyncIterator]();
      for (;;) {
        const next = await ctx.deadline.race(chunks.next());
        if (next.done) {
          digest.finish('closed');
          break;
        }
        await take(next.value as Buffer);
        if (spec.stop_after_bytes > 0 && digest.byteCount >= spec.stop_after_bytes) {
          stage = 'close';
          reader.close();
          digest.finish('stopped');
          // Leaving the iteration is how a user stops a Readable; it also
          // destroys the SDK's stream, as for any early break.
          await chunks.return?.();
          break;
        }
        await ctx.deadline.sleep(spec.chunk_delay_ms);
      }
    }
  } catch (err) {
    if (err instanceof DeadlineExceeded) {
      log(`${err.message}; closing the reader`);
      reader.close();
      digest.finish('timeout');
    } else {
      digest.finish('error', errorInfo(streamError ?? err, stageOf(streamError ?? err, stage)));
    }
  }

  // A reader that stopped on purpose is short by design, not by fault.
  digest.mismatch = digest.end === 'stopped' ? compare?.mismatch : compare?.finish();
  const d = digest.build();
  log(`${d.end} ${formatBytes(d.bytes)}, ${d.texts.length} texts, ${d.chunks} chunks`);
  return d;
}
