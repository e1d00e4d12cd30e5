// compare.md: the comparison as a pull-request comment. Regressions come
// first and open; long lists fold into <details> so the comment stays short.
import type { CellSide, Comparison, VerdictChange } from './diff.ts';
import { verdictLabel } from './diff.ts';
import type { ThroughputChange } from './throughput.ts';

/** Rows per table; a pull-request comment holds about 65,000 characters. */
const MAX_ROWS = 100;
const FOLD_AFTER = 10;

/** Table-cell text: no pipes or newlines to break the row, no HTML to render. */
export function mdCell(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return cut
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function section(title: string, head: string[], rows: string[][], open: boolean): string[] {
  if (rows.length === 0) return [];
  const shown = rows.slice(0, MAX_ROWS);
  const table = [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- |').join('')}`,
    ...shown.map((r) => `| ${r.join(' | ')} |`),
  ];
  if (rows.length > shown.length) table.push('', `… and ${rows.length - shown.length} more.`);
  const heading = `${title} (${rows.length})`;
  if (open || rows.length <= FOLD_AFTER) return [`### ${heading}`, '', ...table, ''];
  return [`<details><summary><b>${heading}</b></summary>`, '', ...table, '', '</details>', ''];
}

const changeRow = (c: VerdictChange) => [
  code(c.key),
  verdictLabel(c.old),
  `**${verdictLabel(c.new)}**`,
  mdCell(c.new.reason ?? c.old.reason ?? ''),
];

const sideRow = (s: CellSide) => [code(s.key), verdictLabel(s), mdCell(s.reason ?? '')];

const fmtMbps = (n: number) => n.toFixed(n < 10 ? 2 : 1);

const speedRow = (t: ThroughputChange) => [
  code(t.key),
  fmtMbps(t.old_mbps),
  fmtMbps(t.new_mbps),
  `${t.change_pct > 0 ? '+' : ''}${t.change_pct}%`,
  `±${t.noise_pct}% (${t.basis === 'repeats' ? 'measured by --repeat' : 'default'})`,
];

function header(c: Comparison): string[] {
  const langs = [...new Set([...Object.keys(c.old.sdks), ...Object.keys(c.new.sdks)])];
  const row = (name: string, a: string, b: string) =>
    `| ${name} | ${mdCell(a)} | ${a === b ? 'same' : mdCell(b)} |`;
  const out = [
    '| | old | new |',
    '| --- | --- | --- |',
    `| run | ${mdCell(c.old.run_id)} | ${mdCell(c.new.run_id)} |`,
    row('engine', c.old.engine, c.new.engine),
    row('suite', c.old.suite_version, c.new.suite_version),
    ...langs.map((l) =>
      row(`${mdCell(l)} SDK`, c.old.sdks[l] ?? 'not run', c.new.sdks[l] ?? 'not run'),
    ),
    row('profile', c.old.profile, c.new.profile),
    row('repeat', String(c.old.repeat), String(c.new.repeat)),
    `| cells | ${c.old.cells} | ${c.new.cells} |`,
    '',
  ];
  for (const side of [c.old, c.new]) {
    if (side.interrupted) {
      out.push(`> **Warning:** ${mdCell(side.path)} was interrupted; its missing cells show`);
      out.push('> as new or removed.', '');
    }
  }
  return out;
}

export function countsLine(c: Comparison): string {
  const parts = [
    `${c.regressed.length} regressed`,
    `${c.fixed.length} fixed`,
    `${c.changed.length} changed`,
    `${c.added.length} new`,
    `${c.removed.length} removed`,
    `${c.throughput.length} throughput changes`,
    `${c.unchanged} unchanged`,
  ];
  return parts.join(', ');
}

export function renderCompareMarkdown(c: Comparison): string {
  const verdict =
    c.regressed.length > 0
      ? `**:x: ${c.regressed.length} cell(s) regressed.**`
      : '**:white_check_mark: No regressions.**';
  const out = ['## iii channel conformance: compare', '', ...header(c), verdict, ''];
  out.push(`${countsLine(c)}.`, '');
  const change = ['cell', 'old', 'new', 'reason'];
  out.push(...section('Regressed', change, c.regressed.map(changeRow), true));
  out.push(...section('Fixed', change, c.fixed.map(changeRow), false));
  out.push(...section('Changed, same severity', change, c.changed.map(changeRow), false));
  out.push(...section('New cells', ['cell', 'verdict', 'reason'], c.added.map(sideRow), false));
  out.push(
    ...section('Removed cells', ['cell', 'verdict', 'reason'], c.removed.map(sideRow), false),
  );
  const speedHead = ['cell', 'old Mb/s', 'new Mb/s', 'change', 'noise'];
  out.push(...section('Throughput', speedHead, c.throughput.map(speedRow), false));
  if (c.regressed.length > 0) {
    out.push('<details><summary>Rerun the regressed cells</summary>', '', '```sh');
    out.push(...c.regressed.slice(0, MAX_ROWS).map((r) => r.new.rerun), '```', '', '</details>');
    out.push('');
  }
  out.push(
    '<sub>Verdict ranks, best first: PASS = XPASS = INFO &lt; SKIP &lt; NON-STRICT &lt; ' +
      'XFAIL &lt; FAIL = TIMEOUT = ERROR. Throughput noise: ' +
      `±${c.noise_pct}% unless both runs measured it with --repeat.</sub>`,
    '',
  );
  return out.join('\n');
}
