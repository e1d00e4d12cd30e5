// Performs a write plan (plan.ops in order) on one SDK writer, or on several
// at once for a fan-out, and returns a writer digest per writer. No sleeps,
// retries or flushes beyond what the plan says: the point is to see what
// users of the SDK see.
import type { ChannelWriter } from 'iii-sdk/channel';
import { type Deadline, DeadlineExceeded } from './deadline.ts';
import { type Digest, DigestBuilder, errorInfo } from './digest.ts';
import { formatBytes, type Logger } from './log.ts';
import type { WriteRequest } from './requests.ts';
import { chunkSizes, seededSlice } from './seeded-stream.ts';
import { WriterDriver } from './writer-driver.ts';

export interface RunContext {
  lang: string;
  entry: number;
  deadline: Deadline;
  log: Logger;
}

/** Test seam: the process exit an `exit` op performs. */
export const processControl = { exit: (code: number): never => process.exit(code) };

/** One writer of the plan with its own digest; `stopped` once its plan has ended early. */
interface Lane {
  driver: WriterDriver;
  digest: DigestBuilder;
  log: Logger;
  stopped: boolean;
}

export async function runPlan(
  writer: ChannelWriter,
  plan: WriteRequest['plan'],
  ctx: RunContext,
): Promise<Digest> {
  const [digest] = await runFanout([writer], plan, ctx);
  return digest;
}

/**
 * The one plan on every writer: each op (each write call of a bytes op) goes
 * to the writers in order before the next, so the source is one stream copied
 * onto every channel. A writer that fails ends its own digest; the others go on.
 */
export async function runFanout(
  writers: readonly ChannelWriter[],
  plan: WriteRequest['plan'],
  ctx: RunContext,
): Promise<Digest[]> {
  const lanes: Lane[] = writers.map((writer, i) => {
    const digest = new DigestBuilder('writer', ctx.lang, ctx.entry);
    const log = ctx.log.child(i === 0 ? 'writer' : `writer_${i + 1}`);
    const driver = new WriterDriver(writer, plan.style, digest, ctx.deadline, log);
    return { driver, digest, log, stopped: false };
  });
  const fanout = lanes.length > 1 ? ` to ${lanes.length} writers` : '';
  lanes[0].log(`plan of ${plan.ops.length} ops, ${plan.style}${fanout}`);

  // In the awaited style a failure stops that writer's plan; fire-and-forget
  // users carry on unaware, and so do we (the listener still records it).
  const live = () =>
    lanes.filter((l) => !l.stopped && !(l.driver.error && plan.style === 'AWAITED'));

  /** One SDK call on one writer; an error ends that writer alone. */
  const step = async (lane: Lane, call: () => Promise<void> | void) => {
    try {
      await call();
    } catch (err) {
      if (err instanceof DeadlineExceeded) throw err;
      lane.stopped = true;
      if (lane.driver.error) lane.driver.finish();
      else lane.digest.finish('error', errorInfo(err, 'plan'));
    }
  };

  try {
    for (const op of plan.ops) {
      if (live().length === 0) break;

      switch (op.kind) {
        case 'bytes': {
          const { seed, offset, length, chunk } = op.bytes;
          let at = offset;
          for (const size of chunkSizes(length, chunk)) {
            const targets = live();
            if (targets.length === 0) break;
            // One buffer for every writer: nothing writes to it (ws masks into a copy).
            const buf = seededSlice(seed, at, size);
            for (const lane of targets) await step(lane, () => lane.driver.write(buf));
            at += size;
          }
          break;
        }
        case 'text': {
          const value = op.text.value.repeat(Math.max(1, op.text.repeat));
          for (const lane of live()) await step(lane, () => lane.driver.text(value));
          break;
        }
        case 'pause':
          // The source pauses once; pausing per writer would stretch the stream.
          await ctx.deadline.sleep(op.pause.ms);
          break;
        case 'close':
          for (const lane of live()) {
            await step(lane, () => lane.driver.close());
            if (!lane.stopped)
              lane.log(`close ${plan.style === 'AWAITED' ? 'completed' : 'called'}`);
          }
          break;
        case 'abort':
          for (const lane of live()) {
            lane.log('aborting: dropping the socket without a close frame');
            lane.driver.abort();
          }
          break;
        case 'exit':
          lanes[0].log(`exiting with code ${op.exit.code} as the plan says`);
          processControl.exit(op.exit.code);
          break;
      }
      if (op.kind === 'abort') break;
    }
    const ended = plan.ops.some((op) => op.kind === 'close' || op.kind === 'abort');
    for (const lane of lanes) if (ended || lane.driver.error) lane.driver.finish();
  } catch (err) {
    // Past the deadline, or a fault of our own (not of one writer): it ends
    // every writer still going. One that already failed keeps its error.
    for (const lane of lanes) {
      if (lane.digest.ended) continue;
      if (lane.driver.error) {
        lane.driver.finish();
      } else if (err instanceof DeadlineExceeded) {
        lane.log(`${err.message}; closing the writer`);
        lane.driver.closeNow();
        lane.digest.finish('timeout');
      } else {
        lane.digest.finish('error', errorInfo(err, 'plan'));
      }
    }
  }

  return lanes.map((lane) => {
    const d = lane.digest.build();
    lane.log(`${d.end} ${formatBytes(d.bytes)}, ${d.texts.length} texts, ${d.chunks} writes`);
    return d;
  });
}
