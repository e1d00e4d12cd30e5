// The three reference workers and how to start each in the process runtime.
import { join } from 'node:path';
import { PY_VENV, ROOT, RS_WORKER_BIN } from './paths.ts';
import type { WorkerCommand } from './runtime/worker-process.ts';

export const BUILTIN_LANGS = ['ts', 'py', 'rs'] as const;
export type BuiltinLang = (typeof BUILTIN_LANGS)[number];

export function builtinWorkerCommand(lang: BuiltinLang): WorkerCommand {
  switch (lang) {
    case 'ts':
      // process.execPath is the Node that runs the harness (>= 22), so the
      // worker runs on the same supported runtime.
      return {
        lang,
        file: process.execPath,
        args: ['--import', 'tsx', join(ROOT, 'workers-ts', 'src', 'main.ts')],
        cwd: ROOT,
      };
    case 'py':
      return {
        lang,
        file: join(PY_VENV, 'bin', 'python'),
        args: ['-m', 'iii_conformance_worker'],
        cwd: ROOT,
      };
    case 'rs':
      return { lang, file: RS_WORKER_BIN, args: [], cwd: ROOT };
  }
}

export function isBuiltinLang(lang: string): lang is BuiltinLang {
  return (BUILTIN_LANGS as readonly string[]).includes(lang);
}
