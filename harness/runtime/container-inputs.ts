// What an image is made of: its Dockerfile, the files its COPY lines name
// (read from the Dockerfile itself, so the two cannot drift apart) and its
// build arguments. Their hash is the image's tag, so an image is rebuilt
// exactly when one of them changes, and the build context holds only them.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';

export interface ImageInputs {
  /** files relative to the context root, sorted; the Dockerfile included */
  files: string[];
  /** sha256 hex over the files' paths, modes and contents and the build args */
  hash: string;
}

/** Joins continuation lines and drops comments, as the Dockerfile parser does. */
export function instructions(dockerfile: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of dockerfile.split('\n')) {
    const line = raw.trimEnd();
    if (!current && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1);
      continue;
    }
    current += line;
    if (current.trim()) out.push(current.trim());
    current = '';
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** Sources of the COPY/ADD lines that read the build context (not --from=stage). */
export function copySources(dockerfile: string): string[] {
  const sources: string[] = [];
  for (const line of instructions(dockerfile)) {
    const match = /^(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!match) continue;
    const rest = match[2].trim();
    let args: string[];
    if (rest.startsWith('[')) {
      args = JSON.parse(rest) as string[];
    } else {
      args = rest.split(/\s+/);
      if (args.some((a) => a.startsWith('--from='))) continue;
      args = args.filter((a) => !a.startsWith('--'));
    }
    const clean = (s: string) => posix.normalize(s).replace(/^\.\//, '').replace(/\/+$/, '');
    sources.push(...args.slice(0, -1).map(clean));
  }
  return sources;
}

/** A matcher for the context root's .dockerignore (the common subset of its syntax). */
export function ignoreMatcher(root: string): (path: string) => boolean {
  const file = join(root, '.dockerignore');
  if (!existsSync(file)) return () => false;
  const patterns = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
  const match = picomatch(patterns, { dot: true });
  // A pattern that matches a folder excludes everything under it.
  return (path) => {
    const parts = path.split('/');
    return parts.some((_, i) => match(parts.slice(0, i + 1).join('/')));
  };
}

function walk(root: string, rel: string, ignored: (p: string) => boolean, out: string[]): void {
  if (ignored(rel)) return;
  const abs = join(root, rel);
  if (statSync(abs).isDirectory()) {
    for (const name of readdirSync(abs).sort()) walk(root, posix.join(rel, name), ignored, out);
  } else {
    out.push(rel);
  }
}

/** The context files behind one COPY source: a file, a folder, or a glob in the last part. */
function expand(root: string, source: string, ignored: (p: string) => boolean): string[] {
  const out: string[] = [];
  if (/[*?[]/.test(source)) {
    const dir = posix.dirname(source);
    const isMatch = picomatch(posix.basename(source), { dot: true });
    for (const name of readdirSync(join(root, dir)).sort()) {
      if (isMatch(name)) walk(root, posix.join(dir, name), ignored, out);
    }
  } else if (existsSync(join(root, source))) {
    walk(root, source, ignored, out);
  }
  if (out.length === 0) {
    throw new Error(`COPY source "${source}" matches no file under ${root}`);
  }
  return out;
}

export function imageInputs(
  root: string,
  dockerfilePath: string,
  buildArgs: Record<string, string>,
): ImageInputs {
  const dockerfile = readFileSync(join(root, dockerfilePath), 'utf8');
  const ignored = ignoreMatcher(root);
  const files = new Set<string>([dockerfilePath]);
  for (const source of copySources(dockerfile)) {
    for (const file of expand(root, source, ignored)) files.add(file);
  }
  if (existsSync(join(root, '.dockerignore'))) files.add('.dockerignore');

  const sorted = [...files].sort();
  const hash = createHash('sha256');
  for (const file of sorted) {
    const executable = (statSync(join(root, file)).mode & 0o111) !== 0;
    hash.update(`${file}\0${executable ? 'x' : '-'}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  for (const key of Object.keys(buildArgs).sort()) hash.update(`${key}=${buildArgs[key]}\0`);
  return { files: sorted, hash: hash.digest('hex') };
}
