// `iii-conformance run`: the conformance matrix on one engine.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import picomatch from 'picomatch';
import { SCENARIOS, scenariosFor } from '../../scenarios/index.ts';
import type { Scenario, Tier } from '../../scenarios/types.ts';
import { BUILTIN_LANGS, builtinWorkerCommand, isBuiltinLang } from '../builtin-workers.ts';
import { shellQuote } from '../certify/worker-command.ts';
import { createEngine, ENGINE_CHOICES } from '../engine-factory.ts';
import { EXIT } from '../exit-codes.ts';
import { loadExpectations } from '../expectations/file.ts';
import { updateExpectations } from '../expectations/update.ts';
import { type Cell, cellLangs, expandCells } from '../matrix.ts';
import { ROOT } from '../paths.ts';
import { RAW } from '../raw-stage.ts';
import { FAILING } from '../report/results.ts';
import { reporterFor } from '../reporter-tty.ts';
import { executeRun, newRunId, type RunOutcome } from '../run.ts';
import { processRuntime } from '../runtime/process-runtime.ts';
import { workerCommands } from '../sdk-versions/index.ts';
import { collectSdkVersions, type SdkVersions } from '../sdk-versions/parse.ts';
import { ensureWorkers } from '../setup.ts';
import { UsageError } from '../usage-error.ts';

export const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${name} takes a whole number of 1 or more, got "${value}"`);
  }
  return n;
};

export function parseLangs(value: string): string[] {
  const langs = value
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const lang of langs) {
    if (!isBuiltinLang(lang) && lang !== RAW) {
      throw new InvalidArgumentError(
        `unknown language "${lang}"; choose from ${[...BUILTIN_LANGS, RAW].join(', ')}`,
      );
    }
  }
  if (langs.length === 0) throw new InvalidArgumentError('--langs needs at least one language');
  return [...new Set(langs)];
}

interface RunFlags {
  engine: string;
  iiiBin?: string;
  langs: string[];
  scenario?: string;
  cell?: string;
  profile: Tier;
  reportDir?: string;
  repeat: number;
  concurrency: number;
  timeoutMs?: number;
  strict: boolean;
  expectations?: string | false;
  updateExpectations?: boolean;
  runtime: 'process' | 'container';
  iiiImage?: string;
  sdk: SdkVersions;
  /** --profile was on the command line (not its default) */
  profileGiven?: boolean;
}

function selectScenarios(flags: RunFlags) {
  // A filter searches the whole catalogue unless a profile was asked for too.
  const pool =
    (flags.scenario || flags.cell) && !flags.profileGiven ? SCENARIOS : scenariosFor(flags.profile);
  const globs = flags.scenario?.split(',').filter(Boolean);
  const selected = globs ? pool.filter((s) => picomatch.isMatch(s.id, globs)) : [...pool];
  if (selected.length === 0) {
    throw new UsageError(
      `--scenario "${flags.scenario}" matches no scenario id; see \`npx iii-conformance list\``,
    );
  }
  return selected;
}

function rerunCommand(flags: RunFlags, cell: Cell): string {
  const langs = cellLangs(cell).join(',');
  // The path the run used, not "$III_BIN": a pasted command must work in a
  // shell where III_BIN was never set.
  const path = flags.iiiBin ?? process.env.III_BIN;
  const bin = path ? shellQuote(path) : '"$III_BIN"';
  let engine =
    flags.engine === 'iii' ? ` --engine iii --iii-bin ${bin}` : ` --engine ${flags.engine}`;
  if (flags.runtime === 'container') {
    engine = flags.engine === 'iii' ? ` --engine iii --iii-image ${flags.iiiImage}` : engine;
    engine += ' --runtime container';
  }
  // Whatever changes a verdict goes along, so the rerun judges as the run did.
  const judging = [
    flags.expectations === false ? ' --no-expectations' : '',
    typeof flags.expectations === 'string'
      ? ` --expectations ${shellQuote(flags.expectations)}`
      : '',
    flags.strict ? ' --strict' : '',
    flags.timeoutMs !== undefined ? ` --timeout-ms ${flags.timeoutMs}` : '',
    ...Object.entries(flags.sdk).map(([lang, version]) => ` --sdk ${lang}=${version}`),
  ].join('');
  return `npx iii-conformance run${engine} --langs ${langs}${judging} --cell ${shellQuote(cell.id)}`;
}

/** A report folder must be new or empty of reports: a run never overwrites another's. */
function checkReportDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new UsageError(`--report-dir ${dir} is a file; name a folder (it is created if missing)`);
  }
  if (existsSync(join(dir, 'results.json'))) {
    throw new UsageError(
      `--report-dir ${dir} already holds a report; choose a new folder or remove it first`,
    );
  }
}

const cappedInt = (name: string, max: number) => (value: string) => {
  const n = positiveInt(name)(value);
  if (n > max) throw new InvalidArgumentError(`${name} takes at most ${max}, got ${value}`);
  return n;
};

/** The default expectations file of an engine: expectations/<engine>.yaml. */
export function defaultExpectationsPath(kind: string): string {
  return join(ROOT, 'expectations', `${kind.replace(':', '-')}.yaml`);
}

function exitStatus(outcome: RunOutcome): number {
  if (outcome.interrupted) return EXIT.INTERRUPTED;
  if (outcome.results.cells.some((c) => FAILING.has(c.verdict))) return EXIT.FAILED;
  const xpass = outcome.results.cells.some((c) => c.verdict === 'XPASS');
  return xpass || outcome.stale.length > 0 ? EXIT.STALE_EXPECTATIONS : EXIT.OK;
}

async function runCommand(flags: RunFlags): Promise<number> {
  const scenarios = selectScenarios(flags);
  const inContainers = flags.runtime === 'container';
  if (flags.engine === 'iii' && !inContainers && !flags.iiiBin && !process.env.III_BIN) {
    throw new UsageError(
      '--engine iii needs the engine binary: pass --iii-bin PATH or set III_BIN',
    );
  }
  if (flags.iiiImage && !inContainers) {
    throw new UsageError('--iii-image runs an engine image: add --runtime container');
  }
  if (inContainers && Object.keys(flags.sdk).length > 0) {
    throw new UsageError('--sdk sets SDK versions up on this machine: use the process runtime');
  }
  const langs = flags.langs.filter(isBuiltinLang);
  const runId = newRunId();
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const containerSetup = inContainers ? await import('../runtime/container-setup.ts') : undefined;
  const { engine: processEngine, kind } = containerSetup
    ? { engine: undefined, kind: containerSetup.containerEngineKind(flags) }
    : await createEngine({ engine: flags.engine, iiiBin: flags.iiiBin });
  const expectationsPath =
    flags.expectations === false ? null : (flags.expectations ?? defaultExpectationsPath(kind));
  const expectations = expectationsPath
    ? loadExpectations(expectationsPath, typeof flags.expectations === 'string')
    : { path: '(none)', entries: [] };
  const cellGlob = flags.cell ? picomatch(flags.cell.split(',')) : null;
  const matrix = (from: readonly Scenario[], ls: readonly string[]) =>
    expandCells(from, {
      langs: ls,
      engine: kind,
      defaultTimeoutMs: 20_000,
      timeoutOverrideMs: flags.timeoutMs,
      repeat: flags.repeat,
    });
  // The raw peer pairs like a language but is no worker process.
  const matrixLangs = flags.langs.includes(RAW) ? [...langs, RAW] : langs;
  const cells = matrix(scenarios, matrixLangs).filter((cell) => !cellGlob || cellGlob(cell.id));
  if (cells.length === 0) {
    throw new UsageError(
      `--cell "${flags.cell}" matches no cell of the selected scenarios and languages`,
    );
  }
  const override = flags.timeoutMs;
  const squeezed = override
    ? [...new Set(cells.map((c) => c.scenario))].filter((s) => (s.timeoutMs ?? 0) > override)
    : [];
  if (override && squeezed.length > 0) {
    const first = squeezed[0];
    progress(
      `note: --timeout-ms ${override} is shorter than the deadline ${squeezed.length} scenario(s) ` +
        `set for themselves (e.g. ${first.id} needs ${first.timeoutMs} ms); their failures may ` +
        "be the harness's short deadline, not the SDK's",
    );
  }
  // Containers: images built (or reused) and the engine made before anything runs.
  const containers = await containerSetup?.prepareContainerRun({
    ...flags,
    langs,
    runId,
    progress,
  });
  const engine = containers?.engine ?? processEngine;
  if (!engine) throw new Error('Internal error: no engine');
  if (!containers) await ensureWorkers(langs, progress);
  const workers = containers
    ? langs.map(builtinWorkerCommand)
    : await workerCommands(langs, flags.sdk, progress);

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const reportDir = flags.reportDir ?? join(ROOT, 'reports', stamp);
  checkReportDir(reportDir);
  const reporter = reporterFor(process.stdout, { expectations });
  const outcome = await executeRun(
    {
      runId,
      images: containers?.runtime.imageRecords(),
      cells,
      universe: [...new Set(matrix(SCENARIOS, [...BUILTIN_LANGS, RAW]).map((c) => c.id))],
      workers,
      engine,
      engineKind: kind,
      reportDir,
      profile: flags.profile,
      runtime: containers?.runtime ?? processRuntime,
      concurrency: flags.concurrency,
      repeat: flags.repeat,
      strict: flags.strict,
      expectations,
      argv: process.argv.slice(2),
      rerun: (cell) => rerunCommand(flags, cell),
    },
    reporter,
  ).finally(async () => {
    // The normal stop removes every container; this catches what a failure left.
    const left = await containers?.runtime.dispose();
    if (left?.length) progress(`containers: removed leftovers ${left.join(', ')}`);
  });
  reporter.finish(outcome.results);
  for (const entry of outcome.stale) {
    reporter.line(`stale expectation: "${entry.cells}" in ${expectations.path} matches no cell`);
  }
  if (flags.updateExpectations && expectationsPath && !outcome.interrupted) {
    const next = updateExpectations({ ...expectations, path: expectationsPath }, outcome.results);
    reporter.line(`expectations: wrote ${next.entries.length} entries to ${expectationsPath}`);
  }
  reporter.line(`report: ${reportDir}`);
  const status = exitStatus(outcome);
  if (flags.updateExpectations && status !== EXIT.INTERRUPTED) {
    return outcome.results.cells.some((c) => c.verdict === 'ERROR') ? EXIT.FAILED : EXIT.OK;
  }
  return status;
}

export function registerRun(program: Command, exit: (code: number) => void): void {
  program
    .command('run')
    .description('run the conformance matrix')
    .addOption(
      new Option('--engine <engine>', 'engine to test')
        .choices(ENGINE_CHOICES)
        .default('reference'),
    )
    .option('--iii-bin <path>', 'iii engine binary for --engine iii (or set III_BIN)')
    .addOption(
      new Option('--runtime <runtime>', 'start the engine and workers as processes or containers')
        .choices(['process', 'container'])
        .default('process'),
    )
    .option('--iii-image <image>', 'iii engine image for --engine iii --runtime container')
    .option(
      '--sdk <lang=version>',
      'run a worker on another SDK version beside the pinned one, e.g. py=0.24.6 (repeatable)',
      collectSdkVersions,
      {},
    )
    .option(
      '--langs <list>',
      'worker languages, comma-separated; add raw to pair the raw-frame peer with every scenario',
      parseLangs,
      [...BUILTIN_LANGS],
    )
    .option('--scenario <glob>', 'only scenarios whose id matches (comma-separated globs)')
    .option('--cell <glob>', 'only cells whose id matches (comma-separated globs)')
    .addOption(
      new Option('--profile <profile>', 'scenario set')
        .choices(['core', 'quick', 'full'])
        .default('core'),
    )
    .option('--report-dir <dir>', 'report folder (default reports/<timestamp>)')
    .option('--repeat <n>', 'run every cell n times', positiveInt('--repeat'), 1)
    .option(
      '--concurrency <n>',
      'cells in flight at once (1-64)',
      cappedInt('--concurrency', 64),
      6,
    )
    .option(
      '--timeout-ms <n>',
      "deadline of every cell, overriding the scenarios' own",
      positiveInt('--timeout-ms'),
    )
    .option('--strict', 'count SHOULD failures as FAIL instead of NON-STRICT', false)
    .option('--expectations <file>', 'known-failures file (default expectations/<engine>.yaml)')
    .option('--no-expectations', 'ignore every expectations file')
    .option('--update-expectations', 'rewrite the expectations file to list the current failures')
    .action(async (flags: RunFlags, command: Command) => {
      // The full profile is everything: unless --langs says otherwise, the raw
      // peer pairs with every scenario too.
      flags.profileGiven = command.getOptionValueSource('profile') !== 'default';
      if (flags.profile === 'full' && command.getOptionValueSource('langs') === 'default') {
        flags.langs = [...flags.langs, RAW];
      }
      exit(await runCommand(flags));
    });
}
