// Throughput per writer -> reader pair as an inline SVG: one row per pair, a
// bar to the median and a dot per cell, on a log scale because transfers from
// 64 KiB to 64 MiB differ by orders of magnitude.
import { MIN_THROUGHPUT_BYTES, median } from '../../compare/throughput.ts';
import { stagesLabel } from '../../matrix.ts';
import type { CellResult, RunResults } from '../results.ts';
import { arrows, escapeHtml } from './escape.ts';

const WIDTH = 760;
const LEFT = 120;
const RIGHT = 190;
const TOP = 26;
const ROW = 30;

interface PairRow {
  pair: string;
  cells: CellResult[];
}

function measuredPairs(results: RunResults): PairRow[] {
  const pairs = new Map<string, CellResult[]>();
  for (const c of results.cells) {
    const measured =
      (c.verdict === 'PASS' || c.verdict === 'XPASS') &&
      c.expected.bytes >= MIN_THROUGHPUT_BYTES &&
      c.throughput_mbps > 0;
    if (!measured) continue;
    const pair = stagesLabel(c);
    pairs.set(pair, [...(pairs.get(pair) ?? []), c]);
  }
  // Plain pairs first in the run's language order, pipelines after them.
  const langs = Object.keys(results.workers);
  const rank = (p: string) => p.split('->').map((l) => langs.indexOf(l));
  return [...pairs]
    .map(([pair, cells]) => ({ pair, cells }))
    .sort((a, b) => {
      const ra = rank(a.pair);
      const rb = rank(b.pair);
      if (ra.length !== rb.length) return ra.length - rb.length;
      const i = ra.findIndex((r, k) => r !== rb[k]);
      return i < 0 ? 0 : ra[i] - rb[i];
    });
}

/** 10^p as "0.1", "1", "10", "1000": no trailing zeros on the axis. */
const tick = (p: number) => (p < 0 ? (10 ** p).toFixed(-p) : String(10 ** p));

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function renderThroughputChart(results: RunResults): string {
  const rows = measuredPairs(results);
  const intro =
    '<section id="throughput"><h2>Throughput per pair</h2>' +
    `<p class="hint">Passing cells that moved at least ${MIN_THROUGHPUT_BYTES / 1024} KiB: ` +
    'each dot is one cell (hover it for the scenario), the bar ends at the median. ' +
    "Megabits per second of payload over the cell's wall time, log scale.</p>";
  if (rows.length === 0) {
    return `${intro}<p class="none">No passing cell moved enough bytes to measure.</p></section>`;
  }

  const all = rows.flatMap((r) => r.cells.map((c) => c.throughput_mbps));
  const lo = Math.floor(Math.log10(Math.min(...all)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...all))));
  const plot = WIDTH - LEFT - RIGHT;
  const x = (v: number) => LEFT + ((Math.log10(v) - lo) / (hi - lo)) * plot;
  const height = TOP + rows.length * ROW + 8;

  const ticks: string[] = [];
  for (let p = lo; p <= hi; p++) {
    const tx = x(10 ** p).toFixed(1);
    ticks.push(
      `<line class="grid" x1="${tx}" x2="${tx}" y1="${TOP - 6}" y2="${height - 8}"/>` +
        `<text class="tick" x="${tx}" y="${TOP - 10}" text-anchor="middle">${tick(p)}</text>`,
    );
  }
  const body = rows.map((row, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const values = row.cells.map((c) => c.throughput_mbps);
    const med = median(values);
    const dots = row.cells.map(
      (c) =>
        `<circle class="dot" cx="${x(c.throughput_mbps).toFixed(1)}" cy="${y}" r="4">` +
        `<title>${escapeHtml(
          `${c.scenario} (attempt ${c.attempt}): ` + `${fmt(c.throughput_mbps)} Mb/s`,
        )}</title></circle>`,
    );
    return (
      `<g class="pair" data-pair="${escapeHtml(row.pair)}">` +
      `<text class="label" x="${LEFT - 10}" y="${y + 4}" text-anchor="end">` +
      `${escapeHtml(arrows(row.pair))}</text>` +
      `<rect class="bar" x="${LEFT}" y="${y - 8}" height="16" ` +
      `width="${Math.max(1, x(med) - LEFT).toFixed(1)}"/>` +
      `<line class="median" x1="${x(med).toFixed(1)}" x2="${x(med).toFixed(1)}" ` +
      `y1="${y - 10}" y2="${y + 10}"/>` +
      dots.join('') +
      `<text class="value" x="${WIDTH - RIGHT + 12}" y="${y + 4}">` +
      `median ${fmt(med)} Mb/s · ${values.length} cell${values.length === 1 ? '' : 's'}` +
      '</text></g>'
    );
  });
  return (
    `${intro}<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${height}" ` +
    `width="${WIDTH}" height="${height}" aria-label="Throughput per writer to reader pair">` +
    `${ticks.join('')}${body.join('')}</svg></section>`
  );
}
