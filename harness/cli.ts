// iii-conformance: the command line. Exit status 0 when every cell is PASS,
// XFAIL, SKIP or NON-STRICT; 1 when any is FAIL, XPASS, ERROR or TIMEOUT;
// 2 for a usage or set-up error, always with a sentence that says what to do.
import { Command, CommanderError } from 'commander';
import { registerCertify } from './commands/certify.ts';
import { registerClean } from './commands/clean.ts';
import { registerCompare } from './commands/compare.ts';
import { registerList } from './commands/list.ts';
import { registerRun } from './commands/run.ts';
import { registerSetup } from './commands/setup.ts';
import { SetupError } from './setup.ts';
import { UsageError } from './usage-error.ts';

export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('iii-conformance')
    .description('Byte-exact cross-language conformance of iii channels')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerRun(program, exit);
  registerList(program);
  registerSetup(program, exit);
  registerCompare(program, exit);
  registerCertify(program, exit);
  registerClean(program, exit);
  return program;
}
/**
 * Errors that carry a stable code are set-up faults with a message meant for
 * the user: an engine adapter's (III_BINARY_NOT_FOUND, III_START_TIMEOUT, …),
 * a container's, or the file system's (ENOTDIR, EACCES, …). Only errors
 * without one are internal and worth a stack trace.
 */
function isSetupFault(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return err instanceof Error && typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code);
}

async function main(): Promise<void> {
  let code = 0;
  try {
    await buildProgram((c) => {
      code = c;
    }).parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? 0 : 2;
    } else if (err instanceof UsageError || err instanceof SetupError || isSetupFault(err)) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      code = 2;
    } else {
      process.stderr.write(`Internal error: ${(err as Error).stack ?? err}\n`);
      code = 2;
    }
  }
  process.exitCode = code;
}

await main();
