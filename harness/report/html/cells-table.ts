// Every cell of the run as one table row; a row opens the cell's details.
// The filter box and the "not passing only" switch work in the page script.
import type { RunResults } from '../results.ts';
import { escapeHtml } from './escape.ts';
import { badge, toneOf } from './tone.ts';

export function renderCellsTable(results: RunResults): string {
  const repeat = results.run.repeat > 1;
  const rows = results.cells.map((c, i) => {
    const attempt = repeat ? `<td class="num">${c.attempt}</td>` : '';
    const speed = c.throughput_mbps > 0 ? c.throughput_mbps.toFixed(2) : '–';
    return (
      `<tr data-tone="${toneOf(c.verdict)}" data-search="${escapeHtml(c.id.toLowerCase())}">` +
      `<td>${badge(c.verdict)}</td>` +
      `<td><button type="button" class="link" data-cell="${i}">${escapeHtml(c.id)}</button></td>` +
      `<td>${escapeHtml(c.level)}</td>${attempt}` +
      `<td class="num">${c.duration_ms}</td><td class="num">${speed}</td></tr>`
    );
  });
  return (
    '<section id="cells"><h2>Cells</h2>' +
    '<div class="controls"><label>filter <input id="cell-filter" type="search" ' +
    'placeholder="scenario, ts->py, @engine…"></label>' +
    '<label><input id="only-bad" type="checkbox"> not passing only</label>' +
    '<span id="cell-count" class="hint"></span></div>' +
    '<div class="scroll"><table class="cells"><thead><tr>' +
    '<th>verdict</th><th>cell</th><th>level</th>' +
    `${repeat ? '<th class="num">attempt</th>' : ''}<th class="num">ms</th>` +
    '<th class="num">Mb/s</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table></div></section>`
  );
}
