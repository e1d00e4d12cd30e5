// `iii-conformance compare OLD NEW`: names the cells that regressed between
// two runs, prints them and writes compare.md for a pull-request comment.
// Exit status 1 when a cell regressed, 0 otherwise, 2 for unreadable input.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { compareExitStatus, compareRuns } from '../compare/diff.ts';
import { loadResults } from '../compare/load.ts';
import { renderCompareMarkdown } from '../compare/render-markdown.ts';
import { renderCompareText } from '../compare/render-text.ts';
import { DEFAULT_NOISE_PCT } from '../compare/throughput.ts';
import { UsageError } from '../usage-error.ts';

interface CompareFlags {
  markdown?: string;
  noisePct: number;
}

const percent = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`--noise-pct takes a percentage of 0 or more, got "${value}"`);
  }
  return n;
};

export function runCompare(
  oldPath: string,
  newPath: string,
  flags: CompareFlags,
  print: (line: string) => void,
): number {
  const comparison = compareRuns(
    { path: oldPath, results: loadResults(oldPath) },
    { path: newPath, results: loadResults(newPath) },
    flags.noisePct,
  );
  for (const line of renderCompareText(comparison)) print(line);

  const target = flags.markdown ?? join(dirname(newPath), 'compare.md');
  try {
    writeFileSync(target, renderCompareMarkdown(comparison));
  } catch (err) {
    throw new UsageError(
      `cannot write ${target} (${(err as NodeJS.ErrnoException).code}); pass --markdown FILE`,
    );
  }
  print(`markdown: ${target}`);
  return compareExitStatus(comparison);
}

export function registerCompare(program: Command, exit: (code: number) => void): void {
  program
    .command('compare')
    .description('name the cells that regressed between two runs (exit 1 when any did)')
    .argument('<old>', 'results.json of the baseline run')
    .argument('<new>', 'results.json of the run to judge')
    .option('--markdown <file>', 'where to write the Markdown (default: compare.md next to NEW)')
    .option(
      '--noise-pct <n>',
      'throughput change to report for cells run once in both runs, in percent',
      percent,
      DEFAULT_NOISE_PCT,
    )
    .action((oldPath: string, newPath: string, flags: CompareFlags) =>
      exit(runCompare(oldPath, newPath, flags, (l) => process.stdout.write(`${l}\n`))),
    );
}
