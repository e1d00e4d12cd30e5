// Turns `certify --worker "<command>"` into a WorkerCommand. A plain command
// line (words, quotes, leading VAR=value assignments) is split like a shell
// would and started directly, so SIGTERM reaches the worker itself; anything
// that needs a shell (pipes, &&, $VAR, globs) runs under `sh -c`.
import type { WorkerCommand } from '../runtime/worker-process.ts';
import { UsageError } from '../usage-error.ts';

const SHELL_ONLY = /[|&;<>()$`*?[\]{}~#!]/;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Shell-words split; null when the line needs a real shell. */
export function splitWords(line: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`--worker has an unterminated ' quote: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '$' || line[j] === '`') return null;
        if (line[j] === '\\' && '"\\$`'.includes(line[j + 1] ?? '')) j += 1;
        text += line[j];
      }
      if (j >= line.length) throw new UsageError(`--worker has an unterminated " quote: ${line}`);
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i += 1;
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (SHELL_ONLY.test(c)) {
      return null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

export function workerCommandFrom(line: string, lang: string, cwd: string): WorkerCommand {
  if (!line.trim()) throw new UsageError('--worker needs a command that starts the worker');
  const words = splitWords(line);
  if (!words) return { lang, file: 'sh', args: ['-c', line], cwd };

  const env: Record<string, string> = {};
  while (words.length > 0 && ASSIGNMENT.test(words[0])) {
    const [name, ...value] = (words.shift() as string).split('=');
    env[name] = value.join('=');
  }
  const [file, ...args] = words;
  if (!file) throw new UsageError(`--worker "${line}" sets variables but names no command`);
  return { lang, file, args, cwd, env };
}

/** The command line quoted for a POSIX shell, for rerun hints. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
