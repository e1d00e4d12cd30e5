// A conformance worker on the npm iii-sdk, written from docs/worker-contract.md
// alone. It connects to III_URL, registers the four functions under
// conformance::<lang>:: and lives until stdin ends or a signal arrives.
import { registerWorker } from 'iii-sdk';
import { describe } from './describe.ts';
import { handleRead } from './read.ts';
import { handleRelay } from './relay.ts';
import { handleWrite } from './write.ts';

const url = process.env.III_URL;
if (!url) {
  // No default address on purpose: this worker only talks to the engine it is given.
  process.stderr.write('III_URL is not set: the harness passes the engine URL through it\n');
  process.exit(2);
}
const lang = process.env.III_CONFORMANCE_LANG || 'ts-contract';
const iii = registerWorker(url, {
  workerName: process.env.III_WORKER_NAME ?? `conformance-${lang}`,
  enableMetricsReporting: false,
  otel: { enabled: false },
});

const fn = (name: string) => `conformance::${lang}::${name}`;
iii.registerFunction(fn('describe'), async () => describe(lang));
iii.registerFunction(fn('write'), (payload: unknown) => handleWrite(iii, lang, payload));
iii.registerFunction(fn('read'), (payload: unknown) => handleRead(lang, payload));
iii.registerFunction(fn('relay'), (payload: unknown) => handleRelay(lang, payload));
process.stderr.write(`[worker] ${lang}: registered ${fn('*')} on ${url}\n`);

let stopping = false;
async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`[worker] ${lang}: stopping (${why})\n`);
  // A shutdown that hangs must not keep the process alive past the harness.
  setTimeout(() => process.exit(0), 2000).unref();
  await iii.shutdown().catch(() => undefined);
  process.exit(0);
}

// The harness holds the other end of stdin: EOF means it is gone.
process.stdin.on('end', () => void stop('stdin closed'));
process.stdin.resume();
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
