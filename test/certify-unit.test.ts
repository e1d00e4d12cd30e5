// certify's pure parts: the worker command line, which cells it runs, which
// known failures it excuses, and how a certificate counts levels.
import { describe, expect, it } from 'vitest';
import { certifyCells, directionOf, excusedEntries } from '../harness/certify/cells.ts';
import { buildCertificate } from '../harness/certify/certificate.ts';
import { renderCertificate } from '../harness/certify/certificate-md.ts';
import { shellQuote, splitWords, workerCommandFrom } from '../harness/certify/worker-command.ts';
import type { CellResult, RunResults } from '../harness/report/results.ts';
import { SCENARIOS } from '../scenarios/index.ts';

describe('certify: worker command', () => {
  it('splits words and quotes like a shell and takes leading assignments as env', () => {
    expect(splitWords(`node -e 'a b' "c \\"d\\"" e\\ f`)).toEqual([
      'node',
      '-e',
      'a b',
      'c "d"',
      'e f',
    ]);
    const cmd = workerCommandFrom('MODE=x Y=1=2 ./bin/worker --fast', 'my_sdk', '/w');
    expect(cmd).toEqual({
      lang: 'my_sdk',
      file: './bin/worker',
      args: ['--fast'],
      cwd: '/w',
      env: { MODE: 'x', Y: '1=2' },
    });
  });

  it('hands anything that needs a shell to sh -c', () => {
    for (const line of ['cd w && ./run', 'run $HOME', 'a | b', 'run *.py']) {
      expect(workerCommandFrom(line, 'x', '/w')).toMatchObject({ file: 'sh', args: ['-c', line] });
    }
  });

  it('quotes a command back for a rerun hint', () => {
    expect(shellQuote('plain/path')).toBe('plain/path');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});

describe('certify: cells', () => {
  const pair = SCENARIOS.filter((s) => s.id === 'frames/size-1');
  const pipe = SCENARIOS.filter((s) => s.topology.kind === 'pipeline').slice(0, 1);
  const m = { lang: 'new', refs: ['ts', 'py', 'rs'], engine: 'reference' };

  it('keeps only cells that involve the new language, in every direction', () => {
    const ids = certifyCells(pair, m).map((c) => c.id.split(' ')[1]);
    expect(ids).toHaveLength(7);
    expect(ids).toContain('new->new@reference');
    expect(ids).toContain('new->rs@reference');
    expect(ids).toContain('py->new@reference');
    expect(ids.some((id) => !id.includes('new'))).toBe(false);
  });

  it('runs pipelines with the new language at every position', () => {
    const cells = certifyCells(pipe, m);
    const stages = cells.length > 0 ? 2 + cells[0].relays.length : 0;
    for (let at = 0; at < stages; at++) {
      expect(cells.some((c) => [c.writer, ...c.relays, c.reader][at] === 'new')).toBe(true);
    }
    expect(cells.every((c) => directionOf(c, 'new') === 'pipeline')).toBe(true);
  });

  it('excuses a known failure only when it holds whatever reference stands in', () => {
    const cells = certifyCells(pair, m);
    const file = {
      path: 'expectations/reference.yaml',
      entries: [
        { cells: 'frames/size-1 ts->*@reference', reason: 'ts writer bug', applies_to: 'x' },
      ],
    };
    const excused = excusedEntries(file, cells, m).entries.map((e) => e.cells);
    // ts->new fails whatever reads; new->ts would pass with py writing, so it is not excused.
    expect(excused).toEqual(['frames/size-1 ts->new\\@reference']);
  });
});

function cell(id: string, level: string, verdict: CellResult['verdict']): CellResult {
  const [writer, reader] = id.split('->');
  return {
    id: `s ${id}@reference`,
    scenario: 's',
    family: 'frames',
    level,
    writer,
    reader,
    relays: [],
    verdict,
    reason: verdict === 'PASS' ? undefined : `s ${id}@reference: broken`,
    rerun: 'npx iii-conformance certify ...',
  } as unknown as CellResult;
}

function results(cells: CellResult[]): RunResults {
  const sdk = (name: string) => ({ lang: '', sdk: { name, version: '1.2.3' } });
  return {
    suite_version: '0.1.0',
    run: { id: 'r', started_at: '', duration_ms: 1000, interrupted: false },
    engine: { kind: 'reference', label: 'reference', version: '0.1.0' },
    workers: { new: sdk('new-sdk'), ts: sdk('iii-sdk (npm)') },
    cells,
  } as unknown as RunResults;
}

describe('certify: certificate', () => {
  it('certifies when every MUST cell passed and reports the SHOULD rate', () => {
    const c = buildCertificate({
      lang: 'new',
      workerCommand: 'w',
      results: results([
        cell('new->ts', 'MUST', 'PASS'),
        cell('ts->new', 'MUST', 'XFAIL'),
        cell('new->new', 'SHOULD', 'NON-STRICT'),
        cell('ts->new', 'SHOULD', 'PASS'),
        cell('new->ts', 'MUST', 'SKIP'),
      ]),
    });
    expect(c.certified).toBe(true);
    expect(c.sdk).toMatchObject({ name: 'new-sdk', version: '1.2.3' });
    expect(c.levels.must).toMatchObject({ all_passed: true, pass: 1, excused: 1, skip: 1 });
    expect(c.levels.should.pass_rate).toBe(0.5);
    expect(c.failures.map((f) => f.verdict)).toEqual(['XFAIL', 'NON-STRICT']);
    expect(renderCertificate(c)).toContain('**CERTIFIED: every MUST cell passed**');
  });

  it('does not certify with a MUST failure and names it with its rerun hint', () => {
    const c = buildCertificate({
      lang: 'new',
      sdkName: 'My SDK',
      workerCommand: 'w',
      results: results([cell('new->ts', 'MUST', 'FAIL'), cell('ts->new', 'MUST', 'PASS')]),
    });
    expect(c.certified).toBe(false);
    expect(c.sdk.name).toBe('My SDK');
    expect(c.failures).toEqual([
      expect.objectContaining({ direction: 'new->ref', reason: 's new->ts@reference: broken' }),
    ]);
    const md = renderCertificate(c);
    expect(md).toContain('NOT CERTIFIED');
    expect(md).toContain('rerun: `npx iii-conformance certify ...`');
  });
});
