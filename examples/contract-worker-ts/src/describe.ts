// conformance::<lang>::describe: who this worker is and what its SDK can do.
// Versions are read from the installed packages at run time, never typed in.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** iii-sdk's exports hide its package.json, so walk up from its entry point. */
function installedVersion(pkg: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(pkg)));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (manifest.name === pkg) return manifest.version;
    } catch {
      // no package.json at this level; keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

const OWN = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

export function describe(lang: string) {
  return {
    lang,
    contract_version: '1',
    worker_version: OWN.version,
    sdk: { name: 'iii-sdk (npm)', version: installedVersion('iii-sdk') },
    capabilities: {
      write_styles: ['AWAITED', 'FIRE_AND_FORGET'],
      read_styles: ['READ_ALL', 'STREAM'],
      exit: true,
      abort: false,
      produce: true,
      relay: true,
      text_callback: true,
    },
  };
}
