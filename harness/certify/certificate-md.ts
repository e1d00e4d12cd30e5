// certificate.md: the certificate as a page an SDK author can publish.
import type { Certificate, LevelTally } from './certificate.ts';

const pct = (rate: number) => `${(rate * 100).toFixed(1)} %`;

function levelRow(name: string, t: LevelTally, reached: string): string {
  return `| ${name} | ${reached} | ${t.pass} | ${t.fail} | ${t.excused} | ${t.skip} | ${t.total} |`;
}

function capabilityLine(c: Certificate['sdk']['capabilities']): string {
  if (!c) return 'none announced';
  const flags = (['exit', 'abort', 'produce', 'relay', 'text_callback'] as const)
    .map((k) => `${k} ${c[k] ? 'yes' : 'no'}`)
    .join(', ');
  const styles = (list: string[]) => list.join('/') || '-';
  return `write ${styles(c.write_styles)}; read ${styles(c.read_styles)}; ${flags}`;
}

export function renderCertificate(c: Certificate): string {
  const out: string[] = [];
  const { sdk, levels } = c;
  const headline = c.certified
    ? 'CERTIFIED: every MUST cell passed'
    : c.interrupted
      ? 'NOT CERTIFIED: the run was interrupted'
      : 'NOT CERTIFIED: a MUST cell failed';
  out.push(`# iii channel conformance certificate: ${sdk.name} ${sdk.version}`, '');
  out.push(`**${headline}**`, '');
  out.push('| | |', '| --- | --- |');
  out.push(`| SDK | ${sdk.name} ${sdk.version} (language tag \`${sdk.lang}\`) |`);
  out.push(`| worker | ${sdk.worker_version}, contract ${sdk.contract_version} |`);
  out.push(`| worker command | \`${sdk.worker_command.replaceAll('|', '\\|')}\` |`);
  out.push(`| capabilities | ${capabilityLine(sdk.capabilities)} |`);
  out.push(`| engine | ${c.engine.label} ${c.engine.version} |`);
  out.push(`| suite | iii-channel-conformance ${c.suite_version} |`);
  const refs = c.references.map((r) => `${r.lang} (${r.sdk} ${r.version})`).join(', ');
  out.push(`| references | ${refs || 'none'} |`);
  const seconds = (c.run.duration_ms / 1000).toFixed(1);
  out.push(`| run | ${c.run.id}, ${c.run.cells} cells in ${seconds} s |`, '');

  out.push('## Levels', '');
  out.push('| level | reached | pass | fail | excused | skip | cells |');
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  out.push(levelRow('MUST', levels.must, levels.must.all_passed ? 'all passed' : 'no'));
  const rate = levels.should.pass_rate;
  out.push(levelRow('SHOULD', levels.should, rate === null ? 'none ran' : `${pct(rate)} passed`));
  out.push(levelRow('INFO', levels.info, 'recorded only'), '');
  out.push(
    '"excused" cells failed because of a known failure of a reference worker or the ' +
      'engine (listed in the expectations file whatever SDK stands in for the new one).',
    '',
  );

  out.push('## Directions', '');
  out.push('| direction | verdicts |', '| --- | --- |');
  for (const [direction, counts] of Object.entries(c.directions)) {
    const text = Object.entries(counts)
      .map(([v, n]) => `${n} ${v}`)
      .join(', ');
    out.push(`| ${direction} | ${text} |`);
  }
  out.push('');

  out.push('## Cells that did not pass', '');
  if (c.failures.length === 0) out.push('None.');
  for (const f of c.failures) {
    out.push(`- **${f.verdict}** (${f.level}, ${f.direction}) \`${f.cell}\``);
    out.push(`  - ${f.reason}`);
    if (f.excused_by) out.push(`  - excused: ${f.excused_by}`);
    out.push(`  - rerun: \`${f.rerun}\``);
  }
  out.push('');
  if (c.skipped.length > 0) {
    out.push('## Skipped (capability absent)', '');
    for (const s of c.skipped) out.push(`- ${s.cells} cells: ${s.reason}`);
    out.push('');
  }
  return out.join('\n');
}
