// conformance::<lang>::relay: read one channel and write every chunk and text
// on to another, in the order they were received, then close the output.
import { DeadlineExceeded } from './deadline.ts';
import { type Digest, DigestBuilder } from './digest.ts';
import type { RunContext } from './plan.ts';
import { type ReadSink, readChannel } from './reader.ts';
import type { RelayRequest } from './requests.ts';
import { WriterDriver } from './writer-driver.ts';

export async function relay(
  req: RelayRequest,
  ctx: RunContext,
): Promise<{ input: Digest; output: Digest }> {
  const out = new DigestBuilder('relay-out', ctx.lang, ctx.entry);
  const log = ctx.log.child('relay-out');
  const driver = new WriterDriver(req.writer, req.style, out, ctx.deadline, log);

  // Awaited: every item waits for the one before it, so a text never
  // overtakes binary still queued in the Writable, and the input loop waits
  // on the output (backpressure end to end). Fire-and-forget: hand each item
  // to the SDK at once, as a user who does not wait would.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (step: () => Promise<void> | void): Promise<void> => {
    queue = queue.then(async () => {
      if (!driver.error) await step();
    });
    // An output failure belongs to relay-out; the input keeps draining.
    queue = queue.catch(() => {});
    return queue;
  };
  const sink: ReadSink =
    req.style === 'AWAITED'
      ? {
          chunk: (buf) => enqueue(() => driver.write(buf)),
          text: (v) => void enqueue(() => driver.text(v)),
        }
      : { chunk: (buf) => void driver.write(buf), text: (v) => driver.text(v) };

  const input = await readChannel(req.reader, req.read, ctx, 'relay-in', sink);

  try {
    if (input.end === 'timeout' || ctx.deadline.hasPassed)
      throw new DeadlineExceeded(ctx.deadline.ms);
    await ctx.deadline.race(queue);
    if (!driver.error) await driver.close();
    driver.finish();
  } catch (err) {
    if (err instanceof DeadlineExceeded) {
      log(`${err.message}; closing the output`);
      driver.closeNow();
      out.finish('timeout');
    } else {
      driver.finish();
    }
  }

  const output = out.build();
  log(`${output.end} ${output.bytes} B, ${output.texts.length} texts`);
  return { input, output };
}
