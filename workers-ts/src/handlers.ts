// The conformance functions. Each validates first (an invalid request is
// thrown, so the SDK answers with an invocation error), then works under the
// request's deadline and always answers with a digest. Write, read and relay
// answers are also kept for recall, since an engine restart loses them.
import type { IIIClient } from 'iii-sdk';
import { Deadline } from './deadline.ts';
import { describe } from './describe.ts';
import { cellLogger, logger } from './log.ts';
import type { RunContext } from './plan.ts';
import { runFanout, runPlan } from './plan.ts';
import { produce } from './produce.ts';
import { readChannel } from './reader.ts';
import { RecallStore, remembered } from './recall.ts';
import { relay } from './relay.ts';
import { parseRead, parseRecall, parseRelay, parseWrite } from './requests.ts';
import { InvalidRequest } from './schema.ts';

type Handler = (payload: unknown) => Promise<unknown>;

async function withContext<T>(
  lang: string,
  cell: string,
  deadlineMs: number,
  entry: number,
  work: (ctx: RunContext) => Promise<T>,
): Promise<T> {
  const ctx: RunContext = {
    lang,
    entry,
    deadline: new Deadline(deadlineMs),
    log: cellLogger(lang, cell),
  };
  try {
    return await work(ctx);
  } finally {
    ctx.deadline.dispose();
  }
}

/** Logs a rejected request before the SDK turns the throw into an invocation error. */
function validated<T>(lang: string, fn: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InvalidRequest) logger(`[cell ?] ${lang}`)(`${fn}: ${err.message}`);
    throw err;
  }
}

export function handlers(
  iii: IIIClient,
  lang: string,
  store = new RecallStore(),
): Record<string, Handler> {
  return {
    describe: async () => describe(lang),

    write: remembered(store, 'write', async (payload) => {
      const entry = performance.now();
      const req = validated(lang, 'write', () => parseWrite(payload));
      return withContext(lang, req.cell, req.deadline_ms, entry, async (ctx) => {
        if (req.produce) return produce(iii, req, req.produce, ctx);
        // parseWrite guarantees a writer when there is no produce.
        if (req.fanout.length === 0) return { digest: await runPlan(req.writer!, req.plan, ctx) };
        const [digest, ...fanout] = await runFanout([req.writer!, ...req.fanout], req.plan, ctx);
        return { digest, fanout };
      });
    }),

    read: remembered(store, 'read', async (payload) => {
      const entry = performance.now();
      const req = validated(lang, 'read', () => parseRead(payload));
      return withContext(lang, req.cell, req.deadline_ms, entry, async (ctx) => ({
        digest: await readChannel(req.reader, req.read, ctx, 'reader'),
      }));
    }),

    relay: remembered(store, 'relay', async (payload) => {
      const entry = performance.now();
      const req = validated(lang, 'relay', () => parseRelay(payload));
      return withContext(lang, req.cell, req.deadline_ms, entry, (ctx) => relay(req, ctx));
    }),

    recall: async (payload) => {
      const { cell } = validated(lang, 'recall', () => parseRecall(payload));
      const answer = store.recall(cell);
      const kept = (['write', 'read', 'relay'] as const).filter((kind) => kind in answer);
      cellLogger(lang, cell).child('recall')(
        `running [${answer.running.join(', ')}], kept [${kept.join(', ')}]`,
      );
      return answer;
    },
  };
}
