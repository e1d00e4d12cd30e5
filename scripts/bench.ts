// Benchmark: wall time of the core matrix (builds done) and 16 MiB throughput
// per writer->reader pair, each pair as a ratio to the raw->raw transfer of
// the same run, so the numbers stay comparable on a shared, noisy machine.
// Writes docs/benchmarks.md and prints it.  Usage: npm run bench [-- --engine iii --iii-bin PATH]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunResults } from '../harness/report/results.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'iii-conformance.js');
const extra = process.argv.slice(2);
const REPEAT = 3;

async function run(args: string[]): Promise<{ results: RunResults; wallMs: number }> {
  const dir = join(ROOT, 'reports', `bench-${Date.now()}`);
  const started = performance.now();
  await execa(process.execPath, [BIN, 'run', ...args, ...extra, '--report-dir', dir], {
    cwd: ROOT,
    reject: false,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const wallMs = performance.now() - started;
  return { results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')), wallMs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const core = await run(['--profile', 'core']);
const big = await run([
  '--langs',
  'ts,py,rs,raw',
  '--scenario',
  'frames/size-16777216',
  '--repeat',
  String(REPEAT),
  '--concurrency',
  '1',
  '--no-expectations',
]);

const byPair = new Map<string, number[]>();
for (const cell of big.results.cells.filter((c) => c.verdict === 'PASS')) {
  const pair = `${cell.writer}->${cell.reader}`;
  byPair.set(pair, [...(byPair.get(pair) ?? []), cell.throughput_mbps]);
}
const baseline = median(byPair.get('raw->raw') ?? [Number.NaN]);
const rows = [...byPair]
  .map(([pair, xs]) => ({ pair, mbps: median(xs), ratio: median(xs) / baseline }))
  .sort((a, b) => b.ratio - a.ratio);

const s = core.results.summary;
const lines = [
  '# Benchmarks',
  '',
  `<!-- Written by \`npm run bench\` on ${new Date().toISOString()}; numbers from one run on a`,
  '     shared 2-core machine: read the ratios, not the absolute values. -->',
  '',
  `Engine: ${core.results.engine.label} ${core.results.engine.version}; SDKs: ` +
    Object.entries(core.results.workers)
      .map(([l, d]) => `${l} ${d.sdk?.version}`)
      .join(', '),
  '',
  '## Core matrix',
  '',
  `${s.total} cells (${s.PASS} PASS, ${s.XFAIL} XFAIL, ${s.FAIL} FAIL, ${s.TIMEOUT} TIMEOUT) ` +
    `in **${(core.results.run.duration_ms / 1000).toFixed(1)} s** of run time, ` +
    `${(core.wallMs / 1000).toFixed(1)} s wall including start-up, concurrency ` +
    `${core.results.run.concurrency}.`,
  '',
  `## 16 MiB throughput per pair (median of ${REPEAT}, cells run one at a time)`,
  '',
  "The ratio is to raw->raw: the harness's own frame writer and reader through the same",
  'engine in the same run, i.e. what the engine alone allows.',
  '',
  '| writer -> reader | Mbit/s | ratio to raw->raw |',
  '| --- | ---: | ---: |',
  ...rows.map((r) => `| ${r.pair} | ${r.mbps.toFixed(0)} | ${r.ratio.toFixed(2)} |`),
  '',
];
const text = lines.join('\n');
writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), text);
process.stdout.write(text);
