// `iii-conformance certify`: runs a new SDK's worker against the reference
// workers in every direction and writes certificate.md/json beside the
// usual reports. Exit 0 when every MUST cell passed, 1 otherwise.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import picomatch from 'picomatch';
import { SCENARIOS, scenariosFor } from '../../scenarios/index.ts';
import type { Tier } from '../../scenarios/types.ts';
import { BUILTIN_LANGS, builtinWorkerCommand, isBuiltinLang } from '../builtin-workers.ts';
import { certifyCells, excusedEntries } from '../certify/cells.ts';
import { buildCertificate } from '../certify/certificate.ts';
import { renderCertificate } from '../certify/certificate-md.ts';
import { shellQuote, workerCommandFrom } from '../certify/worker-command.ts';
import { createEngine, ENGINE_CHOICES } from '../engine-factory.ts';
import { EXIT } from '../exit-codes.ts';
import { loadExpectations } from '../expectations/file.ts';
import { type Cell, cellLangs } from '../matrix.ts';
import { ROOT } from '../paths.ts';
import { RAW } from '../raw-stage.ts';
import type { RunResults } from '../report/results.ts';
import { PlainReporter } from '../reporter.ts';
import { executeRun } from '../run.ts';
import { processRuntime } from '../runtime/process-runtime.ts';
import { ensureWorkers, SetupError } from '../setup.ts';
import { UsageError } from '../usage-error.ts';
import { defaultExpectationsPath, parseLangs, positiveInt } from './run.ts';

interface CertifyFlags {
  worker: string;
  lang: string;
  sdkName?: string;
  engine: string;
  iiiBin?: string;
  refs: string[];
  scenario?: string;
  cell?: string;
  profile: Tier;
  reportDir?: string;
  concurrency: number;
  timeoutMs?: number;
  expectations?: string | false;
}

const LANG_TAG = /^[a-z][a-z0-9_]{0,31}$/;

function checkLang(lang: string): void {
  if (isBuiltinLang(lang) || lang === RAW) {
    throw new UsageError(
      `--lang ${lang} is a reference worker's tag (${[...BUILTIN_LANGS, RAW].join(', ')}); ` +
        'choose another, e.g. --lang my_sdk',
    );
  }
  if (!LANG_TAG.test(lang)) {
    throw new UsageError(
      `--lang "${lang}" is not a language tag: use lowercase letters, digits and _ ` +
        '(it becomes conformance::<lang>:: and part of every cell id)',
    );
  }
}

function selectCells(flags: CertifyFlags, engine: string): Cell[] {
  const globs = flags.scenario?.split(',').filter(Boolean);
  const pool = flags.scenario || flags.cell ? SCENARIOS : scenariosFor(flags.profile);
  const scenarios = globs ? pool.filter((s) => picomatch.isMatch(s.id, globs)) : pool;
  if (scenarios.length === 0) {
    throw new UsageError(`--scenario "${flags.scenario}" matches no scenario id; see \`list\``);
  }
  const matrix = { lang: flags.lang, refs: flags.refs, engine, timeoutMs: flags.timeoutMs };
  const cellGlob = flags.cell ? picomatch(flags.cell.split(',')) : null;
  const cells = certifyCells(scenarios, matrix).filter((c) => !cellGlob || cellGlob(c.id));
  if (cells.length === 0) {
    throw new UsageError(`--cell "${flags.cell}" matches no cell that involves ${flags.lang}`);
  }
  return cells;
}

function rerunCommand(flags: CertifyFlags, cell: Cell): string {
  const engine =
    flags.engine === 'iii' ? ' --engine iii --iii-bin "$III_BIN"' : ` --engine ${flags.engine}`;
  const refs = cellLangs(cell).filter(isBuiltinLang);
  const refFlag = refs.length > 0 ? ` --refs ${refs.join(',')}` : '';
  return (
    `npx iii-conformance certify --worker ${shellQuote(flags.worker)} --lang ${flags.lang}` +
    `${engine}${refFlag} --cell ${shellQuote(cell.id)}`
  );
}

async function certifyCommand(flags: CertifyFlags): Promise<number> {
  checkLang(flags.lang);
  const { engine, kind } = await createEngine({ engine: flags.engine, iiiBin: flags.iiiBin });
  const cells = selectCells(flags, kind);
  const matrix = { lang: flags.lang, refs: flags.refs, engine: kind };
  const expectationsPath =
    flags.expectations === false ? null : (flags.expectations ?? defaultExpectationsPath(kind));
  const expectations = expectationsPath
    ? excusedEntries(loadExpectations(expectationsPath), cells, matrix)
    : { path: '(none)', entries: [] };
  const refs = flags.refs.filter(isBuiltinLang);
  await ensureWorkers(refs, (line) => process.stderr.write(`${line}\n`));

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const reportDir = flags.reportDir ?? join(ROOT, 'reports', `certify-${flags.lang}-${stamp}`);
  const candidate = workerCommandFrom(flags.worker, flags.lang, process.cwd());
  const reporter = new PlainReporter();
  let outcome: Awaited<ReturnType<typeof executeRun>>;
  try {
    outcome = await executeRun(
      {
        cells,
        universe: cells.map((c) => c.id),
        workers: [candidate, ...refs.map(builtinWorkerCommand)],
        engine,
        engineKind: kind,
        reportDir,
        profile: flags.profile,
        runtime: processRuntime,
        concurrency: flags.concurrency,
        repeat: 1,
        strict: false,
        expectations,
        argv: process.argv.slice(2),
        rerun: (cell) => rerunCommand(flags, cell),
      },
      reporter,
    );
  } catch (err) {
    if (err instanceof SetupError && err.message.startsWith(`${flags.lang} worker`)) {
      throw new SetupError(
        `the worker under test never answered conformance::${flags.lang}::describe ` +
          `(command: ${flags.worker}; cwd: ${process.cwd()}); check that it connects to ` +
          `III_URL and registers under III_CONFORMANCE_LANG:\n${err.message}`,
      );
    }
    throw err;
  }
  reporter.finish(outcome.results);

  // Built from the written results.json, which the key redactor has already seen.
  const results = JSON.parse(readFileSync(join(reportDir, 'results.json'), 'utf8')) as RunResults;
  const certificate = buildCertificate({
    lang: flags.lang,
    sdkName: flags.sdkName,
    workerCommand: flags.worker,
    results,
  });
  writeFileSync(join(reportDir, 'certificate.json'), `${JSON.stringify(certificate, null, 2)}\n`);
  writeFileSync(join(reportDir, 'certificate.md'), renderCertificate(certificate));
  const { must, should } = certificate.levels;
  const rate = should.pass_rate === null ? 'n/a' : `${Math.round(should.pass_rate * 100)} %`;
  reporter.line(
    `certificate: ${certificate.certified ? 'CERTIFIED' : 'NOT CERTIFIED'} ` +
      `(MUST ${must.pass}/${must.total - must.skip} passed, ${must.excused} excused; ` +
      `SHOULD ${rate}) -> ${join(reportDir, 'certificate.md')}`,
  );
  if (outcome.interrupted) return EXIT.INTERRUPTED;
  return certificate.certified ? EXIT.OK : EXIT.FAILED;
}

export function registerCertify(program: Command, exit: (code: number) => void): void {
  program
    .command('certify')
    .description("certify a new SDK's worker against the reference workers")
    .requiredOption('--worker <command>', 'command that starts the worker (run in this folder)')
    .requiredOption('--lang <tag>', 'language tag the worker registers under (not ts, py or rs)')
    .option('--sdk-name <name>', "SDK name for the certificate (default: the worker's describe)")
    .addOption(
      new Option('--engine <engine>', 'engine to test')
        .choices(ENGINE_CHOICES)
        .default('reference'),
    )
    .option('--iii-bin <path>', 'iii engine binary for --engine iii (or set III_BIN)')
    .option('--refs <list>', 'reference workers, comma-separated', parseLangs, [...BUILTIN_LANGS])
    .option('--scenario <glob>', 'only scenarios whose id matches (comma-separated globs)')
    .option('--cell <glob>', 'only cells whose id matches (comma-separated globs)')
    .addOption(
      new Option('--profile <profile>', 'scenario set (full: every scenario)')
        .choices(['core', 'quick', 'full'])
        .default('full'),
    )
    .option('--report-dir <dir>', 'report folder (default reports/certify-<lang>-<timestamp>)')
    .option('--concurrency <n>', 'cells in flight at once', positiveInt('--concurrency'), 3)
    .option(
      '--timeout-ms <n>',
      "deadline of every cell, overriding the scenarios' own",
      positiveInt('--timeout-ms'),
    )
    .option(
      '--expectations <file>',
      'known failures of the references (default expectations/<engine>.yaml)',
    )
    .option('--no-expectations', 'excuse nothing, not even known reference failures')
    .action(async (flags: CertifyFlags) => exit(await certifyCommand(flags)));
}
