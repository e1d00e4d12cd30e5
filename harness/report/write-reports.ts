// Writes a run's report folder. Every file passes through the key redactor
// once more, so a key that slipped into a worker's digest still never lands.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Secrets } from '../secrets.ts';
import { renderHtmlReport } from './html/page.ts';
import { renderJunit } from './junit.ts';
import type { RunResults } from './results.ts';
import { renderSummary } from './summary-md.ts';

export function writeReports(
  dir: string,
  results: RunResults,
  secrets: Secrets,
  engineLog: readonly string[],
): void {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const write = (name: string, text: string) =>
    writeFileSync(join(dir, name), secrets.redact(text));
  write('results.json', `${JSON.stringify(results, null, 2)}\n`);
  write('junit.xml', renderJunit(results));
  write('summary.md', renderSummary(results));
  write(
    'index.html',
    renderHtmlReport(results, (s) => secrets.redact(s)),
  );
  write(join('logs', 'engine.log'), `${engineLog.join('\n')}\n`);
}
