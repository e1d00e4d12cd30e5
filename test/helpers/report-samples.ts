// Results with every part the HTML report renders: a byte mismatch, hostile
// text in reasons and logs, a frame log, relays, repeats and expectations.
import type { CellResult, RunResults } from '../../harness/report/results.ts';
import { cell, digest, run } from './results-builder.ts';

export const HOSTILE =
  '</script><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

function failing(): CellResult {
  const id = 'frames/size-65537 ts->py@reference';
  const observed = {
    ...digest('reader', 'py', 65_536, 'cd'.repeat(32)),
    end: 'closed',
    mismatch: { offset: 65_535, chunk: 1, chunk_offset: 0, expected_hex: 'a1b2', actual_hex: '' },
  };
  return cell('frames/size-65537', 'ts->py', {
    verdict: 'FAIL',
    stage: 'reader',
    reason:
      `${id}: reader got 65,536 B, expected 65,537 B; ` +
      `first differing byte at offset 65535 ${HOSTILE}`,
    expected: { bytes: 65_537, sha256: 'ab'.repeat(32), texts: [], texts_sha256: 'ef'.repeat(32) },
    observed,
    writer_digest: digest('writer', 'ts', 65_537),
    throughput_mbps: 0,
    logs: {
      'worker-ts': ['writer: plan of 2 ops', `writer: said ${HOSTILE}`],
      engine: ['created'],
    },
    frames: [
      { t: 1, side: 'writer', dir: 'recv', type: 'binary', size: 65_536 },
      { t: 2, side: 'writer', dir: 'recv', type: 'close', size: 0, code: 1000 },
      { t: 3, side: 'reader', dir: 'send', type: 'close', size: 0, code: 1000 },
    ],
  } as Partial<CellResult>);
}

export function richResults(): RunResults {
  const relay = {
    hops: [
      {
        role: 'relay-1',
        lang: 'py',
        input: digest('relay-1', 'py', 1_048_577),
        output: digest('relay-1', 'py', 1_048_577),
      },
    ],
  };
  const cells: CellResult[] = [
    failing(),
    cell('frames/size-65537', 'ts->py', { attempt: 2, throughput_mbps: 40 }),
    cell('frames/size-65537', 'ts->ts', { throughput_mbps: 30 }),
    cell('frames/size-65537', 'py->ts', { verdict: 'SKIP', reason: 'py cannot abort' }),
    cell('frames/size-65537', 'py->py', {
      verdict: 'XFAIL',
      listed_verdict: 'TIMEOUT',
      reason: 'frames/size-65537 py->py@reference: reader still waiting',
      expectation: { pattern: 'frames/* py->py@*', reason: 'known', applies_to: 'iii-sdk 0.25.0' },
    }),
    cell('pipeline/three-languages', 'ts->py->ts', { ...relay, throughput_mbps: 12.5 }),
    cell('pipeline/three-languages', 'py->ts->py', { throughput_mbps: 9 }),
  ];
  return run(cells);
}
