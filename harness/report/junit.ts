// junit.xml: one testsuite per scenario family, one testcase per cell, so CI
// test-report actions show cells by name with their reasons.
import type { CellResult, RunResults } from './results.ts';

const escapeXml = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

function testcase(cell: CellResult): string {
  const attrs =
    `name="${escapeXml(cell.id)}" classname="${escapeXml(cell.scenario)}" ` +
    `time="${(cell.duration_ms / 1000).toFixed(3)}"`;
  const reason = escapeXml(cell.reason ?? '');
  const logs = cell.logs
    ? Object.entries(cell.logs)
        .map(([role, lines]) => `--- ${role} ---\n${lines.join('\n')}`)
        .join('\n')
    : '';
  const body = (tag: string, type: string) =>
    `<${tag} message="${reason}" type="${type}">${escapeXml(`${cell.reason ?? ''}\n${logs}`)}</${tag}>`;
  switch (cell.verdict) {
    case 'PASS':
      return `<testcase ${attrs}/>`;
    case 'INFO':
      return `<testcase ${attrs}><system-out>${reason}</system-out></testcase>`;
    case 'SKIP':
    case 'XFAIL':
    case 'NON-STRICT':
      return `<testcase ${attrs}><skipped message="${cell.verdict}: ${reason}"/></testcase>`;
    case 'FAIL':
    case 'XPASS':
      return `<testcase ${attrs}>${body('failure', cell.verdict)}</testcase>`;
    default:
      return `<testcase ${attrs}>${body('error', cell.verdict)}</testcase>`;
  }
}

export function renderJunit(results: RunResults): string {
  const families = new Map<string, CellResult[]>();
  for (const cell of results.cells) {
    const list = families.get(cell.family) ?? [];
    list.push(cell);
    families.set(cell.family, list);
  }
  const suites = [...families].map(([family, cells]) => {
    const count = (...v: string[]) => cells.filter((c) => v.includes(c.verdict)).length;
    const time = cells.reduce((t, c) => t + c.duration_ms, 0) / 1000;
    return (
      `  <testsuite name="${escapeXml(family)}" tests="${cells.length}" ` +
      `failures="${count('FAIL', 'XPASS')}" errors="${count('ERROR', 'TIMEOUT')}" ` +
      `skipped="${count('SKIP', 'XFAIL', 'NON-STRICT')}" time="${time.toFixed(3)}">\n` +
      cells.map((c) => `    ${testcase(c)}`).join('\n') +
      '\n  </testsuite>'
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="iii-channel-conformance">\n${suites.join('\n')}\n</testsuites>\n`;
}
