// The writer x reader matrix per family. Each entry is a button that lists
// its cells in the detail panel; the text names the worst verdict and the
// count of cells that passed, the colour only repeats it.
import { buildMatrices, entryKey, entryText, placerFor } from '../matrix-table.ts';
import type { RunResults } from '../results.ts';
import { arrows, escapeHtml } from './escape.ts';
import { SYMBOLS, toneOf } from './tone.ts';

/** Which cells (by index in results.cells) sit in each entry of a family. */
function entryCells(results: RunResults, family: string): Map<string, number[]> {
  const cells = results.cells;
  const { rowOf, columnOf } = placerFor(cells.filter((c) => c.family === family));
  const out = new Map<string, number[]>();
  cells.forEach((c, i) => {
    if (c.family !== family) return;
    const key = entryKey(rowOf(c), columnOf(c));
    out.set(key, [...(out.get(key) ?? []), i]);
  });
  return out;
}

export function renderMatrices(results: RunResults): string {
  const sections = buildMatrices(results.cells, Object.keys(results.workers)).map((m) => {
    const indexes = entryCells(results, m.family);
    const head = m.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
    const rows = m.rows.map((row) => {
      const tds = m.columns.map((col) => {
        const entry = m.entries.get(entryKey(row, col));
        if (!entry) return '<td class="empty">–</td>';
        const tone = toneOf(entry.worst);
        const label = `${m.family}: ${arrows(row)}${col === 'all hops' ? '' : ` → ${col}`}`;
        return (
          `<td><button type="button" class="entry t-${tone}" ` +
          `data-cells="${(indexes.get(entryKey(row, col)) ?? []).join(',')}" ` +
          `data-label="${escapeHtml(label)}">` +
          `<span class="sym" aria-hidden="true">${SYMBOLS[tone]}</span> ` +
          `${escapeHtml(entryText(entry))}</button></td>`
        );
      });
      return `<tr><th scope="row">${escapeHtml(arrows(row))}</th>${tds.join('')}</tr>`;
    });
    const corner = m.columns[0] === 'all hops' ? 'pipeline' : 'writer \\ reader';
    return (
      `<div class="matrix" data-family="${escapeHtml(m.family)}">` +
      `<h3>${escapeHtml(m.family)}</h3>` +
      `<table><thead><tr><th class="corner">${corner}</th>${head}</tr></thead>` +
      `<tbody>${rows.join('')}</tbody></table></div>`
    );
  });
  return (
    '<section id="matrix"><h2>Writer × reader matrix</h2>' +
    '<p class="hint">Each entry: the worst verdict and how many of its cells passed ' +
    '(PASS, or a listed or non-gating result). Click one to see its cells.</p>' +
    `<div class="matrices">${sections.join('')}</div></section>`
  );
}
