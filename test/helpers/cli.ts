// Runs the real CLI the way a user does, in a temporary report folder.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunResults } from '../../harness/report/results.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'iii-conformance.js');

export interface CliRun {
  exitCode: number;
  output: string;
  reportDir: string;
  results: () => RunResults;
}

export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const reportDir = mkdtempSync(join(tmpdir(), 'iii-conformance-test-'));
  const result = await execa(process.execPath, [BIN, ...args, '--report-dir', reportDir], {
    env: { OTEL_ENABLED: 'false', ...env },
    all: true,
    reject: false,
    timeout: 300_000,
  });
  return {
    exitCode: result.exitCode ?? -1,
    output: result.all ?? '',
    reportDir,
    results: () => JSON.parse(readFileSync(join(reportDir, 'results.json'), 'utf8')),
  };
}
