// Runs `iii-conformance certify` as a user would and reads what it wrote.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Certificate } from '../../harness/certify/certificate.ts';
import { ROOT } from '../../harness/paths.ts';

const MAIN = 'examples/contract-worker-ts/src/main.ts';
export const CONTRACT_WORKER = `${process.execPath} --import tsx ${MAIN}`;

export interface CertifyRun {
  exitCode: number;
  output: string;
  reportDir: string;
  certificate?: Certificate;
  markdown?: string;
}

const made: string[] = [];

/** Removes the report folders the tests made (call from afterAll). */
export function removeReports(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function certify(args: string[]): Promise<CertifyRun> {
  const reportDir = mkdtempSync(join(tmpdir(), 'certify-test-'));
  made.push(reportDir);
  const result = await execa(
    process.execPath,
    [join(ROOT, 'bin', 'iii-conformance.js'), 'certify', '--report-dir', reportDir, ...args],
    { cwd: ROOT, all: true, reject: false, env: { OTEL_ENABLED: 'false' } },
  );
  const file = (name: string) => join(reportDir, name);
  return {
    exitCode: result.exitCode ?? -1,
    output: result.all ?? '',
    reportDir,
    ...(existsSync(file('certificate.json'))
      ? {
          certificate: JSON.parse(readFileSync(file('certificate.json'), 'utf8')),
          markdown: readFileSync(file('certificate.md'), 'utf8'),
        }
      : {}),
  };
}
