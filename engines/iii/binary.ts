// Finding and asking the iii binary. The binary is never part of this project:
// the user points at one they built or installed.
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { binaryNotFound, IiiEngineError } from './errors.ts';

/** Returns the absolute path, or throws III_BINARY_NOT_FOUND saying why. */
export function checkBinary(path: string | undefined): string {
  if (!path) throw binaryNotFound('(no path given)', 'empty path');
  const abs = resolve(path);

  let isFile: boolean;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    throw binaryNotFound(abs, 'no such file');
  }
  if (!isFile) throw binaryNotFound(abs, 'not a regular file');

  try {
    accessSync(abs, constants.X_OK);
  } catch {
    throw binaryNotFound(abs, 'not executable');
  }
  return abs;
}

/** `iii --version`, e.g. "0.23.0-rc.4". Offline: --version checks nothing remote. */
export async function readVersion(binary: string, timeoutMs = 10_000): Promise<string> {
  const result = await execa(binary, ['--version'], {
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
    env: { III_TELEMETRY_ENABLED: 'false' },
  });
  const text = stripVTControlCharacters(`${result.stdout}`).trim();

  if (result.failed || !text) {
    const cause = result.timedOut ? `timed out after ${timeoutMs} ms` : result.shortMessage;
    throw new IiiEngineError('III_VERSION_FAILED', `\`${binary} --version\` failed: ${cause}`);
  }
  // Tolerate a leading program name ("iii 0.23.0") should a release add one.
  return text
    .split('\n')[0]
    .replace(/^iii\s+/i, '')
    .trim();
}
