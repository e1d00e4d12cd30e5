// Entry point of the TypeScript conformance worker (docs/worker-contract.md).
// Connects with the npm iii-sdk's documented registerWorker() and registers
// conformance::<lang>::{describe,write,read,relay,recall}.
import { registerWorker } from 'iii-sdk';
import { sdkVersion } from './describe.ts';
import { handlers } from './handlers.ts';
import { logger } from './log.ts';

const url = process.env.III_URL;
const lang = process.env.III_CONFORMANCE_LANG || 'ts';
const log = logger(`[worker ${lang}]`);

// The SDK has a default engine URL in some versions; never let it pick one.
if (!url) {
  log('III_URL is not set; pass the engine worker URL, e.g. ws://127.0.0.1:41234');
  process.exit(2);
}

const iii = registerWorker(url);
for (const [name, handler] of Object.entries(handlers(iii, lang))) {
  iii.registerFunction(`conformance::${lang}::${name}`, handler);
}
log(`registered conformance::${lang}::* on iii-sdk ${sdkVersion()} (${url})`);

let stopping = false;
async function stop(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`stopping: ${reason}`);
  // shutdown() is what the SDK docs show for SIGTERM; a hung shutdown must
  // not keep a worker alive after its harness is gone.
  setTimeout(() => process.exit(code), 2000).unref();
  await iii.shutdown().catch((err: Error) => log(`shutdown failed: ${err.message}`));
  process.exit(code);
}

// The harness holds our stdin: EOF means it is gone, so we go too.
process.stdin.on('end', () => void stop('stdin closed'));
process.stdin.on('error', () => void stop('stdin error'));
process.stdin.resume();
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
