// `run --sdk py=0.24.6,ts=0.21.0`: which SDK version each worker runs on,
// instead of the version its folder pins.
import { InvalidArgumentError } from 'commander';
import { BUILTIN_LANGS, type BuiltinLang, isBuiltinLang } from '../builtin-workers.ts';

export type SdkVersions = Partial<Record<BuiltinLang, string>>;

// Versions reach pip, npm and Cargo.toml: plain version characters only.
const VERSION = /^[0-9][0-9A-Za-z.+-]*$/;

/** commander reducer: repeatable and comma-separated, later flags win. */
export function collectSdkVersions(value: string, previous: SdkVersions = {}): SdkVersions {
  const next = { ...previous };
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [lang, version, extra] = item.split('=');
    if (!isBuiltinLang(lang) || !version || extra !== undefined) {
      throw new InvalidArgumentError(
        `"${item}" is not <lang>=<version>; lang is one of ${BUILTIN_LANGS.join(', ')}, ` +
          'e.g. --sdk py=0.24.6',
      );
    }
    if (!VERSION.test(version)) {
      throw new InvalidArgumentError(`"${version}" is not a version number, e.g. 0.24.6`);
    }
    next[lang] = version;
  }
  return next;
}
