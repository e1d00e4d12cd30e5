// The top of the HTML report: what ran (engine, SDKs, suite), how, and the
// verdict counts, so a release manager can cite a run by its versions.
import { FAILING, type RunResults, VERDICTS } from '../results.ts';
import { escapeHtml } from './escape.ts';
import { badge } from './tone.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function versions(results: RunResults): string {
  const { engine } = results;
  const workers = Object.entries(results.workers).map(
    ([lang, d]) =>
      `<tr><th scope="row">worker ${escapeHtml(lang)}</th>` +
      `<td>${escapeHtml(d.sdk?.name ?? 'unknown SDK')}</td>` +
      `<td class="ver">${escapeHtml(d.sdk?.version ?? '?')}</td>` +
      `<td>worker ${escapeHtml(d.worker_version)} · ` +
      `contract ${escapeHtml(d.contract_version)}</td>` +
      '</tr>',
  );
  // Container runs name the image each process ran from.
  const images = Object.entries(results.images ?? {}).map(
    ([name, image]) =>
      `<tr><th scope="row">image ${escapeHtml(name)}</th><td>${escapeHtml(image.tag)}</td>` +
      `<td class="ver" colspan="2">${escapeHtml(image.id.slice(0, 19))}</td></tr>`,
  );
  return (
    '<table class="versions"><caption>Versions</caption><tbody>' +
    `<tr><th scope="row">engine</th><td>${escapeHtml(engine.label)}</td>` +
    `<td class="ver">${escapeHtml(engine.version)}</td>` +
    `<td>kind ${escapeHtml(engine.kind)}</td></tr>` +
    workers.join('') +
    '<tr><th scope="row">suite</th><td>iii-channel-conformance</td>' +
    `<td class="ver">${escapeHtml(results.suite_version)}</td>` +
    `<td>results schema ${escapeHtml(results.schema)}</td></tr>` +
    images.join('') +
    '</tbody></table>'
  );
}

function outcome(results: RunResults): string {
  const failing = results.cells.filter((c) => FAILING.has(c.verdict)).length;
  const xpass = results.summary.XPASS ?? 0;
  if (failing > 0) {
    return `<p class="outcome t-bad">✗ ${failing} of ${results.cells.length} cells failed</p>`;
  }
  if (xpass > 0) {
    return (
      `<p class="outcome t-stale">! ${xpass} listed failures passed: ` +
      'update the expectations</p>'
    );
  }
  return `<p class="outcome t-ok">✓ every cell passed or is a listed known result</p>`;
}

export function renderHeader(results: RunResults): string {
  const { run } = results;
  const facts = [
    `run ${run.id}`,
    `started ${run.started_at}`,
    seconds(run.duration_ms),
    `profile ${run.profile}`,
    `runtime ${run.runtime}`,
    `concurrency ${run.concurrency}`,
    `repeat ${run.repeat}`,
  ];
  const chips = VERDICTS.filter((v) => (results.summary[v] ?? 0) > 0).map(
    (v) => `<li>${badge(v)} <b>${results.summary[v]}</b></li>`,
  );
  const banner = run.interrupted
    ? '<p class="banner t-bad">Interrupted (Ctrl-C): only the cells that finished are listed.</p>'
    : '';
  const stale = results.expectations.stale_patterns;
  const staleNote = stale.length
    ? `<p class="banner t-stale">Expectation patterns that matched no cell: ` +
      `${stale.map((p) => `<code>${escapeHtml(p)}</code>`).join(', ')}</p>`
    : '';
  return (
    '<header><h1>iii channel conformance</h1>' +
    `<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>${banner}${staleNote}` +
    `<div class="overview">${versions(results)}<div class="totals">${outcome(results)}` +
    `<ul class="chips" aria-label="verdict counts">${chips.join('')}` +
    `<li class="total">${results.summary.total} cells</li></ul>` +
    `<p class="hint">expectations: ${escapeHtml(results.expectations.file)}</p>` +
    `<p class="hint">argv: <code>${escapeHtml(run.argv.join(' '))}</code></p></div></div></header>`
  );
}
