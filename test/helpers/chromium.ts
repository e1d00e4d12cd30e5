// Headless Chromium for the HTML report tests: Debian's /usr/bin/chromium
// driven by playwright-core, with a fresh profile and every network request
// refused, so a test proves the page needs none.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const INSTALL_LINE = 'apt-get update && apt-get install -y chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Chromium's path, installing Debian's package first when it is missing and
 * this is a root shell with apt-get; otherwise the reason it is unavailable.
 */
export async function ensureChromium(
  path = CHROMIUM,
  install = INSTALL_LINE,
): Promise<{ path: string } | { reason: string }> {
  if (existsSync(path)) return { path };
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    return { reason: `${path} is absent and cannot be installed here (needs root and apt-get)` };
  }
  const r = await execa('sh', ['-c', install], {
    reject: false,
    all: true,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 480_000,
  });
  if (existsSync(path)) return { path };
  const tail = (r.all ?? '').split('\n').slice(-5).join(' | ');
  return { reason: `${path} is absent and \`${install}\` failed: ${tail}` };
}

export interface OfflineBrowser {
  context: BrowserContext;
  /** every non-file: URL the page tried to load, each refused */
  blocked: string[];
  close(): Promise<void>;
}

export async function launchOffline(executablePath: string): Promise<OfflineBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  // launchPersistentContext is how playwright takes a --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  const blocked: string[] = [];
  await context.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return {
    context,
    blocked,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
