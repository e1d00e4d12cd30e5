// index.html: the whole run in one static file. Styles, script and data are
// inline and a Content-Security-Policy forbids every fetch, so the page opens
// from a CI artifact or a mail attachment with no network at all.
import type { RunResults } from '../results.ts';
import { renderCellsTable } from './cells-table.ts';
import { CLIENT_SCRIPT } from './client-script.ts';
import { embedJson, escapeHtml } from './escape.ts';
import { renderHeader } from './header.ts';
import { renderMatrices } from './matrix.ts';
import { STYLES } from './styles.ts';
import { renderThroughputChart } from './throughput-chart.ts';
import { SYMBOLS, TONES } from './tone.ts';

const CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "script-src 'unsafe-inline'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Applies `redact` to every string in `value`, keys included. */
function mapStrings<T>(value: T, redact: (s: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, redact)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [redact(k), mapStrings(v, redact)]),
    ) as T;
  }
  return value;
}

/**
 * `redact` runs on each string before it is escaped: redacting the finished
 * page instead could miss a key whose "&" or quotes were escaped around it.
 */
export function renderHtmlReport(
  unredacted: RunResults,
  redact: (s: string) => string = (s) => s,
): string {
  const results = mapStrings(unredacted, redact);
  const title = `iii channel conformance: ${results.run.id}`;
  const data = embedJson({ results, tones: TONES, symbols: SYMBOLS });
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLES}</style></head><body><main>`,
    renderHeader(results),
    renderMatrices(results),
    renderThroughputChart(results),
    renderCellsTable(results),
    '<footer>Written by iii-channel-conformance from results.json; ' +
      'see docs/report-schema.md for every field.</footer></main>',
    '<aside id="detail" tabindex="-1" hidden aria-labelledby="detail-title">',
    '<button type="button" id="detail-close" aria-label="close details">close ✕</button>',
    '<div id="detail-body"></div></aside>',
    `<script type="application/json" id="results-data">${data}</script>`,
    `<script>${CLIENT_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
