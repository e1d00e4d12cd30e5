// The run's worker commands: the pinned workers, except where --sdk chose
// another SDK version; those are set up beside the pinned ones first.
import { type BuiltinLang, builtinWorkerCommand } from '../builtin-workers.ts';
import type { WorkerCommand } from '../runtime/worker-process.ts';
import { UsageError } from '../usage-error.ts';
import { ensureNodeSdk } from './node.ts';
import type { SdkVersions } from './parse.ts';
import { ensurePythonSdk } from './python.ts';
import { ensureRustSdk } from './rust.ts';

const ENSURE = { py: ensurePythonSdk, ts: ensureNodeSdk, rs: ensureRustSdk } as const;

export async function workerCommands(
  langs: readonly BuiltinLang[],
  versions: SdkVersions,
  progress: (line: string) => void,
): Promise<WorkerCommand[]> {
  for (const lang of Object.keys(versions)) {
    if (!langs.includes(lang as BuiltinLang)) {
      throw new UsageError(`--sdk names ${lang}, which is not in --langs ${langs.join(',')}`);
    }
  }
  const commands: WorkerCommand[] = [];
  for (const lang of langs) {
    const version = versions[lang];
    commands.push(version ? await ENSURE[lang](version, progress) : builtinWorkerCommand(lang));
  }
  return commands;
}
