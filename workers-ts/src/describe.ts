// conformance::<lang>::describe. Versions are read from the installed
// packages at run time so a report can never name an SDK that did not run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const CONTRACT_VERSION = '1';

interface PackageJson {
  name?: string;
  version?: string;
}

/** Walks up from a resolved entry file to the package's own package.json. */
function packageJsonOf(entry: string, name: string): PackageJson {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      if (pkg.name === name) return pkg;
    } catch {
      // no package.json at this level; keep walking
    }
  }
  throw new Error(`package.json of ${name} not found above ${entry}`);
}

export function sdkVersion(): string {
  // iii-sdk does not export ./package.json, so resolve its entry instead.
  const entry = createRequire(import.meta.url).resolve('iii-sdk');
  return packageJsonOf(entry, 'iii-sdk').version ?? 'unknown';
}

export function workerVersion(): string {
  const own = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(own, 'utf8')) as PackageJson).version ?? 'unknown';
}

export function describe(lang: string) {
  return {
    lang,
    contract_version: CONTRACT_VERSION,
    worker_version: workerVersion(),
    sdk: { name: 'iii-sdk (npm)', version: sdkVersion() },
    capabilities: {
      write_styles: ['AWAITED', 'FIRE_AND_FORGET'],
      // TEXTS_ONLY is onMessage() alone, as the SDK's ChannelReader doc shows.
      read_styles: ['READ_ALL', 'STREAM', 'TEXTS_ONLY'],
      exit: true,
      // Writable.destroy() (Node's documented abrupt end) makes the SDK
      // terminate the socket with no close frame.
      abort: true,
      produce: true,
      relay: true,
      text_callback: true,
      // Every ref in a payload arrives as a live writer, so one call can drive several.
      fanout: true,
      // Answers are kept by cell (recall.ts), so a restarted engine can still get them.
      recall: true,
    },
  };
}
