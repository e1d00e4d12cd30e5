// summary.md: the run at a glance for a pull request or a release note.
import { buildMatrices, entryKey, entryText } from './matrix-table.ts';
import type { RunResults } from './results.ts';

const NOT_OK = new Set(['FAIL', 'XPASS', 'ERROR', 'TIMEOUT', 'NON-STRICT']);

export function renderSummary(results: RunResults): string {
  const out: string[] = [];
  const { engine, run, summary } = results;
  out.push(`# iii channel conformance: ${run.id}`);
  out.push('');
  out.push(
    `Engine **${engine.label}** ${engine.version} · runtime ${run.runtime} · ` +
      `profile ${run.profile} · ${(run.duration_ms / 1000).toFixed(1)} s`,
  );
  out.push('');
  out.push('| worker | SDK | version |');
  out.push('| --- | --- | --- |');
  for (const [lang, d] of Object.entries(results.workers)) {
    out.push(`| ${lang} | ${d.sdk?.name ?? '?'} | ${d.sdk?.version ?? '?'} |`);
  }
  out.push('');
  const counts = Object.entries(summary)
    .filter(([k, v]) => k !== 'total' && v > 0)
    .map(([k, v]) => `${v} ${k}`);
  out.push(`**${summary.total} cells:** ${counts.join(', ')}`);
  if (run.interrupted) {
    out.push('');
    out.push(
      '**Interrupted:** the run was stopped (Ctrl-C or SIGTERM); only finished cells are listed.',
    );
  }
  out.push('');
  for (const m of buildMatrices(results.cells, Object.keys(results.workers))) {
    out.push(`## ${m.family}`);
    out.push('');
    out.push(`| writer \\ reader | ${m.columns.join(' | ')} |`);
    out.push(`| --- |${m.columns.map(() => ' --- |').join('')}`);
    for (const row of m.rows) {
      const cells = m.columns.map((c) => entryText(m.entries.get(entryKey(row, c))));
      out.push(`| ${row} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  const flaky = results.cells.filter((c) => c.flaky);
  if (flaky.length > 0) {
    out.push('## Cells listed as flaky');
    out.push('');
    for (const cell of flaky) {
      const f = cell.flaky as NonNullable<typeof cell.flaky>;
      out.push(
        `- **${cell.verdict}** \`${cell.id}\`: passed ${f.passes} of ${f.runs} runs (needs ${f.needed})`,
      );
    }
    out.push('');
  }
  const bad = results.cells.filter((c) => NOT_OK.has(c.verdict) || c.verdict === 'XFAIL');
  if (bad.length > 0) {
    out.push('## Cells that did not pass');
    out.push('');
    for (const cell of bad) {
      out.push(`- **${cell.verdict}** \`${cell.id}\`: ${cell.reason ?? ''}`);
      if (cell.expectation) {
        out.push(`  - listed: ${cell.expectation.reason} (${cell.expectation.applies_to})`);
      }
      out.push(`  - rerun: \`${cell.rerun}\``);
    }
    out.push('');
  }
  return out.join('\n');
}
