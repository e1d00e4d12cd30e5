// `iii-conformance setup`: builds the workers' environments ahead of a run
// (the run does the same on first use; CI calls this to keep steps apart).
import { type Command, Option } from 'commander';
import { BUILTIN_LANGS, isBuiltinLang } from '../builtin-workers.ts';
import { ensureWorkers } from '../setup.ts';
import { parseLangs } from './run.ts';

export function registerSetup(program: Command, exit: (code: number) => void): void {
  program
    .command('setup')
    .description('install the Python worker environment and build the Rust worker')
    .option('--langs <list>', 'worker languages, comma-separated', parseLangs, [...BUILTIN_LANGS])
    .addOption(
      new Option('--runtime <runtime>', 'container: build the images instead')
        .choices(['process', 'container'])
        .default('process'),
    )
    .action(async (flags: { langs: string[]; runtime: string }) => {
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      if (flags.runtime === 'container') {
        const { ensureImages } = await import('../runtime/container-images.ts');
        const { imagesFor } = await import('../runtime/container-setup.ts');
        await ensureImages(imagesFor('reference', flags.langs), progress);
      } else {
        await ensureWorkers(flags.langs.filter(isBuiltinLang), progress);
      }
      process.stderr.write(`setup: ready (${flags.langs.join(', ')})\n`);
      exit(0);
    });
}
