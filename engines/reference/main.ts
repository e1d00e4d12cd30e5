// CLI for the reference broker. Prints exactly one JSON line to stdout once
// listening; everything else goes to stderr. Exits on SIGTERM/SIGINT and
// when stdin reaches EOF, so it cannot outlive the harness that spawned it.

import { parseArgs } from 'node:util';
import { startReferenceBroker } from './broker.ts';
import { FAULTS_ENV, hasFaults, type InjectedFaults, parseFaults } from './fault-injection.ts';
import { createLogger } from './log.ts';
import { isProfileName, PROFILE_NAMES } from './policy.ts';

const USAGE =
  'usage: main.ts [--host 127.0.0.1] [--port 0] [--profile compat|strict]\n' +
  '               [--channel-ttl-ms N] [--sweep-interval-ms N] [--verbose]\n' +
  '               [--ignore-stdin]  (containers: do not exit when stdin is closed)';

function fail(message: string): never {
  process.stderr.write(`reference broker: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function nonNegativeInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) fail(`--${name} must be a whole number, got ${raw}`);
  return value;
}

async function main(): Promise<void> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const profile = values.profile ?? 'compat';
  if (!isProfileName(profile)) {
    fail(`--profile must be one of ${PROFILE_NAMES.join(', ')}, got ${profile}`);
  }

  const logger = createLogger({ verbose: values.verbose || undefined });
  const broker = await startReferenceBroker({
    host: values.host,
    port: nonNegativeInt('port', values.port, 0),
    profile,
    channelTtlMs: nonNegativeInt('channel-ttl-ms', values['channel-ttl-ms'], 300_000),
    sweepIntervalMs: nonNegativeInt('sweep-interval-ms', values['sweep-interval-ms'], 60_000),
    logger,
    faults: faultsFromEnv(),
  }).catch((err: Error) => fail(err.message));

  // A bug on one connection must not take the broker down (issue: survive
  // malformed input); it is logged loudly instead.
  process.on('uncaughtException', (err) => logger.error(`uncaught: ${err.stack ?? err}`));
  process.on('unhandledRejection', (err) => logger.error(`unhandled rejection: ${String(err)}`));

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`shutting down: ${why}`);
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    broker.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (!values['ignore-stdin']) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.resume();
  }

  const line = {
    event: 'listening',
    wsUrl: broker.wsUrl,
    version: broker.version,
    profile: broker.profile,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function parse() {
  return parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      profile: { type: 'string' },
      'channel-ttl-ms': { type: 'string' },
      'sweep-interval-ms': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      'ignore-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
}

main().catch((err: Error) => fail(err.stack ?? String(err)));

function faultsFromEnv(): InjectedFaults | undefined {
  try {
    const faults = parseFaults(process.env[FAULTS_ENV]);
    return hasFaults(faults) ? faults : undefined;
  } catch (err) {
    return fail((err as Error).message);
  }
}
