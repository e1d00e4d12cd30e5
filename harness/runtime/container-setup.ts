// Everything `run --runtime container` needs before its first cell: a Docker
// daemon, the images (built or reused), the engine as a container and the
// runtime that starts the workers, all labelled with the run id.
import { ImageName } from 'testcontainers';
import { UsageError } from '../usage-error.ts';
import { docker } from './container-docker.ts';
import { ContainerEngine, type ContainerEngineKind } from './container-engine.ts';
import { ContainerError } from './container-errors.ts';
import type { ImageName_ } from './container-images.ts';
import { ContainerRuntime, workerImageName } from './container-runtime.ts';

type Progress = (line: string) => void;

export interface ContainerRunOptions {
  engine: string;
  iiiImage?: string;
  langs: readonly string[];
  runId: string;
  progress: Progress;
}

export interface ContainerRun {
  engine: ContainerEngine;
  kind: ContainerEngineKind;
  runtime: ContainerRuntime;
}

const KINDS: Record<string, ContainerEngineKind> = {
  reference: 'reference',
  'reference:compat': 'reference',
  'reference:strict': 'reference:strict',
  iii: 'iii',
};

/** The images a run of these languages on this engine uses, in build order. */
export function imagesFor(engine: string, langs: readonly string[]): ImageName_[] {
  const names: ImageName_[] = engine === 'iii' ? [] : ['engine-reference'];
  return [...names, ...langs.map(workerImageName)];
}

/** The engine kind of --engine in containers, or a usage error about the flags. */
export function containerEngineKind(opts: { engine: string; iiiImage?: string }) {
  const kind = KINDS[opts.engine];
  if (!kind) {
    throw new UsageError(`unknown engine "${opts.engine}"; choose one of ${Object.keys(KINDS)}`);
  }
  if (kind === 'iii' && !opts.iiiImage) {
    throw new UsageError(
      '--engine iii --runtime container needs an engine image: pass --iii-image IMAGE ' +
        '(docs/containers.md shows how to make one from an iii binary)',
    );
  }
  if (kind !== 'iii' && opts.iiiImage) {
    throw new UsageError('--iii-image applies to --engine iii only');
  }
  return kind;
}

export async function prepareContainerRun(opts: ContainerRunOptions): Promise<ContainerRun> {
  const kind = containerEngineKind(opts);

  const client = await docker();
  opts.progress(
    `containers: Docker ${client.info.containerRuntime.serverVersion}, run ${opts.runId}`,
  );
  const runtime = new ContainerRuntime(opts.runId);
  await runtime.prepare(imagesFor(opts.engine, opts.langs), opts.progress);

  let image = runtime.imageRecords()['engine-reference']?.tag;
  if (kind === 'iii' && opts.iiiImage) {
    image = opts.iiiImage;
    const name = ImageName.fromString(image);
    if (!(await client.image.exists(name))) {
      throw new ContainerError(
        'IMAGE_MISSING',
        `engine image ${image} is not on this machine; the harness never pulls: ` +
          '`docker pull` it where a registry is reachable, or build one (docs/containers.md)',
      );
    }
    runtime.addImage('engine-iii', { tag: image, id: (await client.image.inspect(name)).Id });
  }
  if (!image) throw new Error('Internal error: no engine image prepared');
  // Every image of the project is Debian-based and has `cat`.
  const watchdogImage = Object.values(runtime.imageRecords())[0]?.tag;
  const engine = new ContainerEngine({ kind, image, runId: opts.runId, watchdogImage });
  return { engine, kind, runtime };
}
