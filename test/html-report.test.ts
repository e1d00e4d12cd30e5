// index.html rendered as a string: one file, nothing fetched, every string
// from results.json escaped, and the secrets callback applied before that.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedJson, escapeHtml } from '../harness/report/html/escape.ts';
import { renderHtmlReport } from '../harness/report/html/page.ts';
import type { RunResults } from '../harness/report/results.ts';
import { HOSTILE, richResults } from './helpers/report-samples.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'results-ts-py.json');

describe('escaping', () => {
  it('escapes markup and makes JSON safe inside a script element', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    const json = embedJson({ s: '</script><!-- \u2028 &' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!-- \u2028 &' });
  });
});

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(richResults());

  it('is one static file that loads nothing', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<(link|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|@font-face/);
  });

  it('never lets reported text become markup', () => {
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    const data = html.match(/id="results-data">([^<]*)<\/script>/)?.[1] ?? '';
    const embedded = JSON.parse(data) as { results: RunResults };
    expect(embedded.results.cells[0].reason).toContain(HOSTILE);
  });

  it('renders the matrix per family with text, not colour alone', () => {
    // Failure-only assertions keep vitest from printing the whole page.
    expect(html.includes('<h3>frames</h3>')).toBe(true);
    expect(html.includes('<h3>pipeline</h3>')).toBe(true);
    const entries = [...html.matchAll(/class="entry t-(\w+)"[^>]*>(.*?)<\/button>/g)];
    const texts = entries.map(([, tone, body]) => `${tone}: ${body.replace(/<[^>]+>/g, '')}`);
    expect(texts).toEqual([
      'ok: ✓ ok 1/1',
      'bad: ✗ FAIL 1/2',
      'known: ○ SKIP 1/1',
      'known: ○ XFAIL 1/1',
      'ok: ✓ ok 1/1',
      'ok: ✓ ok 1/1',
    ]);
  });

  it('charts throughput per pair and names the versions', () => {
    const pairs = [...html.matchAll(/<g class="pair" data-pair="([^"]+)"/g)].map((m) => m[1]);
    expect(pairs).toEqual(['ts-&gt;ts', 'ts-&gt;py', 'ts-&gt;py-&gt;ts', 'py-&gt;ts-&gt;py']);
    expect(html).toContain('iii-sdk (PyPI)');
    expect(html).toContain('<td class="ver">0.25.0</td>');
    expect(html).toContain('iii-conformance/results/v1');
  });

  it('names the images of a container run', () => {
    const results = richResults();
    results.images = { 'worker-ts': { tag: 'iii-conformance/worker-ts:0.1.0', id: 'sha256:0123' } };
    const page = renderHtmlReport(results);
    expect(page.includes('<th scope="row">image worker-ts</th>')).toBe(true);
    expect(page.includes('iii-conformance/worker-ts:0.1.0')).toBe(true);
  });

  it('redacts every string before rendering', () => {
    const results = richResults();
    results.cells[0].logs = { engine: ['dial ws://127.0.0.1:9/ch?key=SECRET&x="1"'] };
    const page = renderHtmlReport(results, (s) => s.replaceAll('SECRET', '<redacted>'));
    expect(page).not.toContain('SECRET');
  });

  it('renders a real run', () => {
    const real = JSON.parse(readFileSync(FIXTURE, 'utf8')) as RunResults;
    const page = renderHtmlReport(real);
    expect(page).toContain('○</span> XFAIL 2/2');
    expect(page).toContain('<g class="pair" data-pair="py-&gt;py">');
    expect(page).toContain(`run ${real.run.id}`);
  });
});
