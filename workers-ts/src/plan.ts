// Performs a write plan (plan.ops in order) on one SDK writer and returns the
// writer digest. No sleeps, retries or flushes beyond what the plan says: the
// point is to see what users of the SDK see.
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

export async function runPlan(
  writer: ChannelWriter,
  plan: WriteRequest['plan'],
  ctx: RunContext,
): Promise<Digest> {
  const digest = new DigestBuilder('writer', ctx.lang, ctx.entry);
  const log = ctx.log.child('writer');
  const driver = new WriterDriver(writer, plan.style, digest, ctx.deadline, log);
  log(`plan of ${plan.ops.length} ops, ${plan.style}`);

  try {
    for (const op of plan.ops) {
      // In the awaited style a failure stops the plan; fire-and-forget users
      // carry on unaware, and so do we (the listener still records it).
      if (driver.error && plan.style === 'AWAITED') break;

      switch (op.kind) {
        case 'bytes': {
          const { seed, offset, length, chunk } = op.bytes;
          let at = offset;
          for (const size of chunkSizes(length, chunk)) {
            await driver.write(seededSlice(seed, at, size));
            at += size;
          }
          break;
        }
        case 'text':
          driver.text(op.text.value.repeat(Math.max(1, op.text.repeat)));
          break;
        case 'pause':
          await ctx.deadline.sleep(op.pause.ms);
          break;
        case 'close':
          await driver.close();
          log(`close ${plan.style === 'AWAITED' ? 'completed' : 'called'}`);
          break;
        case 'abort':
          log('aborting: dropping the socket without a close frame');
          driver.abort();
          break;
        case 'exit':
          log(`exiting with code ${op.exit.code} as the plan says`);
          processControl.exit(op.exit.code);
          break;
      }
      if (op.kind === 'abort') break;
    }
    if (plan.ops.some((op) => op.kind === 'close' || op.kind === 'abort') || driver.error) {
      driver.finish();
    }
  } catch (err) {
    if (err instanceof DeadlineExceeded) {
      log(`${err.message}; closing the writer`);
      driver.closeNow();
      digest.finish('timeout');
    } else if (driver.error) {
      driver.finish();
    } else {
      digest.finish('error', errorInfo(err, 'plan'));
    }
  }

  const d = digest.build();
  log(`${d.end} ${formatBytes(d.bytes)}, ${d.texts.length} texts, ${d.chunks} writes`);
  return d;
}
