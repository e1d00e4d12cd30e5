// `iii-conformance setup`: builds the workers' environments ahead of a run
// (the run does the same on first use; CI calls this to keep steps apart).
import type { Command } from 'commander';
import { BUILTIN_LANGS, isBuiltinLang } from '../builtin-workers.ts';
import { ensureWorkers } from '../setup.ts';
import { parseLangs } from './run.ts';

export function registerSetup(program: Command, exit: (code: number) => void): void {
  program
    .command('setup')
    .description('install the Python worker environment and build the Rust worker')
    .option('--langs <list>', 'worker languages, comma-separated', parseLangs, [...BUILTIN_LANGS])
    .action(async (flags: { langs: string[] }) => {
      await ensureWorkers(flags.langs.filter(isBuiltinLang), (line) =>
        process.stderr.write(`${line}\n`),
      );
      process.stderr.write(`setup: ready (${flags.langs.join(', ')})\n`);
      exit(0);
    });
}
