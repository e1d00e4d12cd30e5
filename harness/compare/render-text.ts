// The comparison on the terminal: plain lines that read well in a CI log.
import type { CellSide, Comparison, VerdictChange } from './diff.ts';
import { verdictLabel } from './diff.ts';
import { countsLine } from './render-markdown.ts';

const fmtMbps = (n: number) => n.toFixed(n < 10 ? 2 : 1);

function header(c: Comparison): string[] {
  const out = [`compare: ${c.old.path} -> ${c.new.path}`];
  const row = (name: string, a: string, b: string) =>
    out.push(`  ${name.padEnd(10)}${a === b ? a : `${a} -> ${b}`}`);
  row('run', c.old.run_id, c.new.run_id);
  row('engine', c.old.engine, c.new.engine);
  row('suite', c.old.suite_version, c.new.suite_version);
  const langs = [...new Set([...Object.keys(c.old.sdks), ...Object.keys(c.new.sdks)])];
  for (const l of langs) row(l, c.old.sdks[l] ?? 'not run', c.new.sdks[l] ?? 'not run');
  row('profile', c.old.profile, c.new.profile);
  for (const side of [c.old, c.new]) {
    if (side.interrupted) out.push(`  warning: ${side.path} was interrupted`);
  }
  return out;
}

function changes(title: string, list: VerdictChange[], withDetail: boolean): string[] {
  if (list.length === 0) return [];
  const width = Math.max(...list.map((c) => verdictLabel(c.old).length + 4));
  const out = ['', `${title} (${list.length}):`];
  for (const c of list) {
    const from = `${verdictLabel(c.old)} -> `.padEnd(width);
    out.push(`  ${from}${verdictLabel(c.new).padEnd(10)} ${c.key}`);
    if (withDetail && c.new.reason) out.push(`      ${c.new.reason}`);
    if (withDetail) out.push(`      rerun: ${c.new.rerun}`);
  }
  return out;
}

function sides(title: string, list: CellSide[]): string[] {
  if (list.length === 0) return [];
  return [
    '',
    `${title} (${list.length}):`,
    ...list.map((s) => `  ${verdictLabel(s).padEnd(10)} ${s.key}`),
  ];
}

export function renderCompareText(c: Comparison): string[] {
  const out = header(c);
  out.push(...changes('regressed', c.regressed, true));
  out.push(...changes('fixed', c.fixed, false));
  out.push(...changes('changed, same severity', c.changed, false));
  out.push(...sides('new cells', c.added));
  out.push(...sides('removed cells', c.removed));
  if (c.throughput.length > 0) {
    out.push('', `throughput beyond the noise (${c.throughput.length}):`);
    for (const t of c.throughput) {
      const sign = t.change_pct > 0 ? '+' : '';
      const basis = t.basis === 'repeats' ? 'measured' : 'default';
      out.push(
        `  ${`${sign}${t.change_pct}%`.padStart(8)}  ${fmtMbps(t.old_mbps)} -> ` +
          `${fmtMbps(t.new_mbps)} Mb/s  ${t.key} (noise ±${t.noise_pct}%, ${basis})`,
      );
    }
  }
  out.push('', `${countsLine(c)}`);
  return out;
}
