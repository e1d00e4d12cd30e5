// The images of the container runtime: one per engine and worker, each built
// from the Dockerfile beside its code, tagged with the hash of its inputs and
// reused while that hash is unchanged. Builds use host networking (this
// machine has no bridge) and never pull: the base image is local or pulled
// by the daemon's own rules on a machine with a registry.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ImageName } from 'testcontainers';
import { CACHE, ROOT } from '../paths.ts';
import { docker, LABELS } from './container-docker.ts';
import { ContainerError } from './container-errors.ts';
import { imageInputs } from './container-inputs.ts';

export const IMAGE_SPECS = {
  'engine-reference': 'engines/reference/Dockerfile',
  'worker-ts': 'workers-ts/Dockerfile',
  'worker-py': 'workers-py/Dockerfile',
  'worker-rs': 'workers-rs/Dockerfile',
} as const;

export type ImageName_ = keyof typeof IMAGE_SPECS;

/** What results.json records of each image a run used. */
export interface ImageRecord {
  tag: string;
  id: string;
}

export interface BuiltImage extends ImageRecord {
  name: string;
  built: boolean;
  seconds: number;
}

type Progress = (line: string) => void;

const LOG_DIR = join(CACHE, 'images');
const TAIL = 30;

/**
 * Extra CAs for the builds' TLS downloads (npm, PyPI, crates, rustup) when a
 * TLS-intercepting proxy sits in between: the PEM file in III_BUILD_CA_CERTS,
 * else the CAs added to this machine's trust store by hand (Debian keeps them
 * in /usr/local/share/ca-certificates). Public certificates, never keys.
 */
export function extraCaCerts(): string {
  const file = process.env.III_BUILD_CA_CERTS;
  if (file) return readFileSync(file, 'utf8').trim();
  const dir = '/usr/local/share/ca-certificates';
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8').trim())
    .join('\n');
}

export function imageTag(name: string, hash: string): string {
  return `iii-conformance/${name}:${hash.slice(0, 16)}`;
}

/** Where an image's Dockerfile and context are; the project's own by default. */
export interface ImageSource {
  root: string;
  /** relative to root */
  dockerfile: string;
}

/** The image for `name`, built only when no image has the tag of its current inputs. */
export async function ensureImage(
  name: string,
  progress: Progress,
  source: ImageSource = { root: ROOT, dockerfile: IMAGE_SPECS[name as ImageName_] },
): Promise<BuiltImage> {
  const started = Date.now();
  const { root, dockerfile } = source;
  const buildArgs: Record<string, string> = {};
  const ca = extraCaCerts();
  if (ca) buildArgs.EXTRA_CA_CERTS = ca;
  const inputs = imageInputs(root, dockerfile, buildArgs);
  const tag = imageTag(name, inputs.hash);
  const client = await docker();
  const image = ImageName.fromString(tag);

  const built = !(await client.image.exists(image));
  if (built) {
    const log = join(LOG_DIR, `${name}.log`);
    progress(`image ${name}: building ${tag} from ${dockerfile} (log: ${relative(ROOT, log)})…`);
    await build({ name, tag, root, dockerfile, buildargs: buildArgs, log, progress, ...inputs });
    await pruneOlder(name, tag, progress);
  }
  const { Id } = await client.image.inspect(image);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  progress(`image ${name}: ${tag} ${built ? `built in ${seconds} s` : 'up to date'} (${Id})`);
  return { name, tag, id: Id, built, seconds };
}

interface BuildJob extends ImageSource {
  name: string;
  tag: string;
  files: string[];
  hash: string;
  buildargs: Record<string, string>;
  log: string;
  progress: Progress;
}

async function build(job: BuildJob): Promise<void> {
  const { name, tag, root, dockerfile, files, buildargs, hash, log, progress } = job;
  mkdirSync(LOG_DIR, { recursive: true });
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (/^Step \d+\/\d+ :/.test(line)) progress(`  ${name} | ${line.slice(0, 120)}`);
  };
  const client = await docker();
  const fail = (why: string) =>
    new ContainerError(
      'IMAGE_BUILD_FAILED',
      `image ${name} (${dockerfile}) failed to build: ${why}; full log: ${log}`,
      lines.slice(-TAIL),
    );

  try {
    const stream = await client.container.dockerode.buildImage(
      { context: root, src: files },
      {
        t: tag,
        dockerfile,
        buildargs,
        networkmode: 'host',
        labels: { [LABELS.image]: name, 'org.iii-conformance.inputs': hash },
        rm: true,
        forcerm: true,
      },
    );
    const error = await new Promise<string | undefined>((resolve, reject) => {
      let buffer = '';
      let failure: string | undefined;
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
          const message = parseLine(buffer.slice(0, i));
          buffer = buffer.slice(i + 1);
          for (const line of message.text.split('\n')) if (line.trim()) keep(line.trimEnd());
          if (message.error) {
            failure = message.error;
            keep(`ERROR: ${message.error}`);
          }
        }
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(failure));
    });
    writeFileSync(log, `${lines.join('\n')}\n`);
    if (error) throw fail(error);
  } catch (err) {
    writeFileSync(log, `${lines.join('\n')}\n`);
    if (err instanceof ContainerError) throw err;
    throw fail((err as Error).message);
  }
}

/**
 * Removes earlier builds of the same image (other content hashes), so editing
 * a worker does not pile up images. One a container still uses stays.
 */
async function pruneOlder(name: string, keep: string, progress: Progress): Promise<void> {
  const { dockerode } = (await docker()).container;
  const repo = keep.slice(0, keep.lastIndexOf(':'));
  const older = await dockerode.listImages({ filters: { reference: [repo] } });
  for (const image of older) {
    const tags = (image.RepoTags ?? []).filter((t) => t !== keep);
    if (tags.length === 0 || image.RepoTags?.includes(keep)) continue;
    await dockerode
      .getImage(image.Id)
      .remove({ noprune: false })
      .then(() => progress(`image ${name}: removed the older ${tags.join(', ')}`))
      .catch(() => undefined);
  }
}

function parseLine(line: string): { text: string; error?: string } {
  try {
    const value = JSON.parse(line) as { stream?: string; status?: string; error?: string };
    return { text: value.stream ?? value.status ?? '', error: value.error };
  } catch {
    return { text: line };
  }
}

/** Builds (or finds) several images one after another: later ones reuse earlier layers. */
export async function ensureImages(
  names: readonly ImageName_[],
  progress: Progress,
): Promise<Map<ImageName_, BuiltImage>> {
  const out = new Map<ImageName_, BuiltImage>();
  for (const name of names) out.set(name, await ensureImage(name, progress));
  return out;
}
