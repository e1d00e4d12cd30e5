import { describe, expect, it } from 'vitest';
import { applyExpectations } from '../harness/expectations/apply.ts';
import { minimalPatterns } from '../harness/expectations/update.ts';
import type { CellResult } from '../harness/report/results.ts';

const cell = (id: string, verdict: CellResult['verdict']): CellResult => {
  const [scenario, rest] = id.split(' ');
  const [writer, reader] = rest.split('@')[0].split('->');
  return {
    id,
    scenario,
    family: 'frames',
    level: 'MUST',
    writer,
    reader,
    relays: [],
    engine: 'reference',
    attempt: 1,
    verdict,
    expected: { bytes: 0, sha256: '', texts: [], texts_sha256: '' },
    observed: null,
    writer_digest: null,
    hops: [],
    duration_ms: 1,
    throughput_mbps: 0,
    rerun: '',
  };
};

const universe = [
  'frames/size-0 ts->py@reference',
  'frames/size-0 py->py@reference',
  'frames/size-1 ts->py@reference',
];

describe('expectations, checked both ways', () => {
  it('turns listed failures into XFAIL and listed passes into XPASS', () => {
    const file = {
      path: 'x.yaml',
      entries: [{ cells: 'frames/size-0 ts->*@reference', reason: 'r', applies_to: 'a' }],
    };
    const { cells, unmatched } = applyExpectations(
      file,
      [
        cell('frames/size-0 ts->py@reference', 'TIMEOUT'),
        cell('frames/size-0 py->py@reference', 'PASS'),
      ],
      universe,
    );
    expect(cells.map((c) => c.verdict)).toEqual(['XFAIL', 'PASS']);
    expect(cells[0].listed_verdict).toBe('TIMEOUT');
    expect(unmatched).toEqual([]);
    const passed = applyExpectations(
      file,
      [cell('frames/size-0 ts->py@reference', 'PASS')],
      universe,
    );
    expect(passed.cells[0].verdict).toBe('XPASS');
  });

  it('reports a pattern that can match no cell as stale, however many cells there are', () => {
    const file = {
      path: 'x.yaml',
      entries: [{ cells: 'frames/size-0-typo ts->*@reference', reason: 'r', applies_to: 'a' }],
    };
    expect(applyExpectations(file, [], universe).unmatched).toHaveLength(1);
  });

  it('never excuses an ERROR: that is a harness or worker fault', () => {
    const file = { path: 'x.yaml', entries: [{ cells: '**', reason: 'r', applies_to: 'a' }] };
    const { cells } = applyExpectations(
      file,
      [cell('frames/size-1 ts->py@reference', 'ERROR')],
      universe,
    );
    expect(cells[0].verdict).toBe('ERROR');
  });

  it('keeps an intermittent fault XFAIL when it fails and PASS (listed) when it passes', () => {
    const entry = {
      cells: 'frames/size-0 *->py@reference',
      reason: 'r',
      applies_to: 'a',
      intermittent: true,
    };
    const file = { path: 'x.yaml', entries: [entry] };
    const run = [
      cell('frames/size-0 ts->py@reference', 'FAIL'),
      cell('frames/size-0 py->py@reference', 'PASS'),
    ];
    const { cells } = applyExpectations(file, run, universe);
    expect(cells.map((c) => c.verdict)).toEqual(['XFAIL', 'PASS']);
    expect(cells[1].expectation?.pattern).toBe(entry.cells);
    const plain = applyExpectations(
      { ...file, entries: [{ ...entry, intermittent: undefined }] },
      run,
      universe,
    );
    expect(plain.cells[1].verdict).toBe('XPASS');
  });

  it('writes the widest pattern that covers only failing cells', () => {
    const all = [
      cell('frames/size-0 ts->py@reference', 'FAIL'),
      cell('frames/size-0 ts->ts@reference', 'FAIL'),
      cell('frames/size-0 py->py@reference', 'PASS'),
      cell('frames/size-0 py->ts@reference', 'PASS'),
    ];
    expect(minimalPatterns(all.slice(0, 2), all)).toEqual(['frames/size-0 ts->*@reference']);
  });

  it('names a failing fan-out cell by its writer, so the entry holds whatever --langs lists', () => {
    const fanout = (writer: string, verdict: CellResult['verdict']) => ({
      ...cell(`pipeline/fan-out ${writer}->ts@reference`, verdict),
      id: `pipeline/fan-out ${writer}->ts+py+raw@reference`,
      scenario: 'pipeline/fan-out',
      fanout: ['py', 'raw'],
    });
    const all = [fanout('ts', 'PASS'), fanout('py', 'TIMEOUT')];
    const patterns = minimalPatterns([all[1]], all);
    expect(patterns).toEqual(['pipeline/fan-out py->*@reference']);
    const file = {
      path: 'x.yaml',
      entries: [{ cells: patterns[0], reason: 'r', applies_to: 'a' }],
    };
    const narrower = 'pipeline/fan-out py->ts+py@reference';
    expect(applyExpectations(file, [], [narrower]).unmatched).toEqual([]);
  });
});
