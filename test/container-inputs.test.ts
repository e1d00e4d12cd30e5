// What goes into an image's tag: the Dockerfile, the files its COPY lines
// name, the build arguments. No Docker needed.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../harness/paths.ts';
import { IMAGE_SPECS, imageTag } from '../harness/runtime/container-images.ts';
import { copySources, imageInputs, instructions } from '../harness/runtime/container-inputs.ts';

let dir: string;

function tree(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'iii-inputs-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Dockerfile COPY sources', () => {
  it('joins continuation lines and skips comments', () => {
    const text = 'FROM x\n# COPY nope /\nRUN a \\\n  && b\nCOPY a b /dst/\n';
    expect(instructions(text)).toEqual(['FROM x', 'RUN a   && b', 'COPY a b /dst/']);
  });

  it('reads context sources, not --from stages, flags or JSON form mistakes', () => {
    const text = [
      'FROM x AS build',
      'COPY --chown=1:1 ./src/a.ts lib/ /app/',
      'COPY --from=build /out/bin /usr/local/bin/',
      'ADD ["b c.txt", "/d/"]',
    ].join('\n');
    expect(copySources(text)).toEqual(['src/a.ts', 'lib', 'b c.txt']);
  });

  it('names every file the project Dockerfiles copy, and only those', () => {
    const ts = imageInputs(ROOT, IMAGE_SPECS['worker-ts'], {}).files;
    expect(ts).toContain('workers-ts/src/main.ts');
    expect(ts).toContain('package-lock.json');
    expect(ts.some((f) => f.startsWith('workers-ts/test/'))).toBe(false);
    const engine = imageInputs(ROOT, IMAGE_SPECS['engine-reference'], {}).files;
    expect(engine).toContain('engines/reference/main.ts');
    expect(engine.some((f) => f.endsWith('README.md'))).toBe(false);
  });
});

describe('image tag', () => {
  const base = {
    Dockerfile: 'FROM x\nCOPY src /app/src\nCOPY *.json /app/\n',
    'src/a.txt': 'a',
    'src/node_modules/dep.js': 'ignored',
    'one.json': '{}',
    '.dockerignore': '**/node_modules\n',
  };

  it('is stable for the same inputs and skips what .dockerignore excludes', () => {
    const root = tree(base);
    const first = imageInputs(root, 'Dockerfile', {});
    expect(first.files).toEqual(['.dockerignore', 'Dockerfile', 'one.json', 'src/a.txt']);
    writeFileSync(join(root, 'src/node_modules/dep.js'), 'changed');
    writeFileSync(join(root, 'unrelated.txt'), 'not copied');
    expect(imageInputs(root, 'Dockerfile', {}).hash).toBe(first.hash);
    expect(imageTag('worker-ts', first.hash)).toBe(
      `iii-conformance/worker-ts:${first.hash.slice(0, 16)}`,
    );
  });

  it('changes with a copied file, its mode, a glob match, the Dockerfile or a build arg', () => {
    const root = tree(base);
    const hashes = new Set([imageInputs(root, 'Dockerfile', {}).hash]);
    writeFileSync(join(root, 'src/a.txt'), 'b');
    hashes.add(imageInputs(root, 'Dockerfile', {}).hash);
    chmodSync(join(root, 'src/a.txt'), 0o755);
    hashes.add(imageInputs(root, 'Dockerfile', {}).hash);
    writeFileSync(join(root, 'two.json'), '[]');
    hashes.add(imageInputs(root, 'Dockerfile', {}).hash);
    writeFileSync(join(root, 'Dockerfile'), `${base.Dockerfile}ENV A=1\n`);
    hashes.add(imageInputs(root, 'Dockerfile', {}).hash);
    hashes.add(imageInputs(root, 'Dockerfile', { EXTRA_CA_CERTS: 'pem' }).hash);
    expect(hashes.size).toBe(6);
  });

  it('refuses a COPY source that matches nothing, naming it', () => {
    const root = tree({ Dockerfile: 'FROM x\nCOPY missing/ /app/\n' });
    expect(() => imageInputs(root, 'Dockerfile', {})).toThrow(/COPY source "missing" matches no/);
  });
});
