// A real iii engine in a container (--engine iii --iii-image). The image is
// made here the way docs/containers.md shows: a user-supplied iii binary
// (III_BIN, or the local build) copied into the base image. The project
// never ships or builds the binary; without one these tests are skipped.
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVersion } from '../engines/iii/binary.ts';
import { canAuditSockets, socketsOf } from '../engines/iii/socket-audit.ts';
import { docker } from '../harness/runtime/container-docker.ts';
import { ContainerEngine } from '../harness/runtime/container-engine.ts';
import { ensureImage } from '../harness/runtime/container-images.ts';
import {
  dockerReady,
  interruptedRun,
  leftovers,
  readResults,
  runCli,
  runIdOf,
  SETUP_TIMEOUT_MS,
  SKIP_CONTAINERS,
} from './helpers/containers.ts';

const DEFAULT_BIN = '/work/iii-src/target/release/iii';
const BIN = process.env.III_BIN || DEFAULT_BIN;
const NO_BIN = !process.env.III_BIN && !existsSync(DEFAULT_BIN);
if (NO_BIN)
  console.warn(`container iii tests skipped: III_BIN is unset and ${DEFAULT_BIN} is absent`);

/** docs/containers.md, "An iii engine image": the same file, word for word. */
const III_DOCKERFILE = `FROM debian:bookworm-slim
COPY iii /app/iii
RUN mkdir -p /app/data /app/config && chown -R 65532:65532 /app/data /app/config
USER 65532:65532
WORKDIR /app
ENTRYPOINT ["/app/iii"]
`;

const RUN_ID = `test-iii-${process.pid}`;

it('docs/containers.md shows the same iii image Dockerfile as this test builds', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'containers.md'), 'utf8');
  expect(doc).toContain(`\`\`\`Dockerfile\n${III_DOCKERFILE}\`\`\``);
});

describe.skipIf(SKIP_CONTAINERS || NO_BIN)('iii engine image in a container', () => {
  let context: string;
  let image: string;

  beforeAll(async () => {
    await dockerReady();
    context = mkdtempSync(join(tmpdir(), 'iii-engine-image-'));
    copyFileSync(BIN, join(context, 'iii'));
    writeFileSync(join(context, 'Dockerfile'), III_DOCKERFILE);
    // Tagged by the hash of the binary and Dockerfile, so a rerun reuses it.
    const built = await ensureImage('engine-iii-local', () => undefined, {
      root: context,
      dockerfile: 'Dockerfile',
    });
    image = built.tag;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    if (context) rmSync(context, { recursive: true, force: true });
    expect(await leftovers(RUN_ID)).toEqual([]);
  });

  it('starts, reports its version, and listens and connects on 127.0.0.1 only', async () => {
    const watchdogImage = 'debian:bookworm-slim';
    const engine = new ContainerEngine({ kind: 'iii', image, runId: RUN_ID, watchdogImage });
    try {
      const info = await engine.start();
      expect(info.version).toBe(await readVersion(BIN));
      expect(info.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      if (canAuditSockets()) {
        const client = await docker();
        const id = engine.containerId ?? '';
        const pid = (await client.container.dockerode.getContainer(id).inspect()).State.Pid;
        const tcp = socketsOf(pid).filter((s) => s.proto.startsWith('tcp'));
        expect(tcp.filter((s) => s.state === 'LISTEN').map((s) => s.local)).toEqual([
          new URL(info.wsUrl).host,
        ]);
        for (const s of tcp) expect(s.local).toMatch(/^127\.0\.0\.1:/);
      }
      const again = await engine.restart();
      expect(again.wsUrl).toBe(info.wsUrl);
    } finally {
      await engine.stop();
    }
  }, 120_000);

  it('runs cells with the ts, py and rs workers through --iii-image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iii-container-iii-'));
    const r = await runCli([
      'run',
      '--runtime',
      'container',
      '--engine',
      'iii',
      '--iii-image',
      image,
      '--scenario',
      'frames/size-65537,pipeline/three-languages,pipeline/four-stages',
      '--report-dir',
      dir,
    ]);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const results = readResults(dir);
    expect(results.cells.length).toBe(15);
    expect(results.images?.['engine-iii']?.tag).toBe(image);
    expect(await leftovers(runIdOf(r.stderr))).toEqual([]);
  }, 180_000);

  it('leaves no engine behind when the harness is killed with SIGKILL', async () => {
    // The engine ignores stdin; its watchdog's end takes it down (PID namespace).
    const dir = mkdtempSync(join(tmpdir(), 'iii-container-iii-kill-'));
    const args = ['run', '--runtime', 'container', '--engine', 'iii', '--iii-image', image];
    const { runId, signal } = await interruptedRun('SIGKILL', dir, args);
    expect(signal).toBe('SIGKILL');
    expect(await leftovers(runId, 20_000)).toEqual([]);
  }, 180_000);
});
