// Parts of the iii adapter that need no engine binary: binary checks, the
// config it writes, its log ring and socket decoding. These run everywhere.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IiiEngine } from '../engines/iii/adapter.ts';
import { checkBinary } from '../engines/iii/binary.ts';
import { renderConfig } from '../engines/iii/config.ts';
import { IiiEngineError } from '../engines/iii/errors.ts';
import { LogRing } from '../engines/iii/log-ring.ts';
import {
  canAuditSockets,
  nonLoopback,
  type SocketEntry,
  socketsOf,
} from '../engines/iii/socket-audit.ts';

describe('iii binary checks', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iii-engine-unit-'));
    await writeFile(join(dir, 'not-executable'), '#!/bin/sh\n');
    await chmod(join(dir, 'not-executable'), 0o644);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const cases = [
    ['a missing file', () => join(dir, 'nope', 'iii'), 'no such file'],
    ['a directory', () => dir, 'not a regular file'],
    ['a file without the x bit', () => join(dir, 'not-executable'), 'not executable'],
  ] as const;

  for (const [what, path, why] of cases) {
    it(`rejects ${what} with III_BINARY_NOT_FOUND and says what to do`, () => {
      const err = catchError(() => checkBinary(path()));
      expect(err).toBeInstanceOf(IiiEngineError);
      expect(err.code).toBe('III_BINARY_NOT_FOUND');
      expect(err.message).toBe(
        `iii binary not found at ${path()} (${why}); pass --iii-bin PATH or set III_BIN`,
      );
    });
  }

  it('rejects an empty path', () => {
    expect(catchError(() => checkBinary(undefined)).code).toBe('III_BINARY_NOT_FOUND');
  });

  it('start() fails with the same error and starts nothing', async () => {
    const engine = new IiiEngine({ binary: join(dir, 'missing-iii') });
    const err = await engine.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IiiEngineError);
    expect((err as IiiEngineError).code).toBe('III_BINARY_NOT_FOUND');
    expect((err as Error).message).toContain('pass --iii-bin PATH or set III_BIN');
    expect(engine.pids()).toEqual([]);
    await engine.stop();
  });
});

describe('iii config', () => {
  it('declares only the worker manager, on loopback', () => {
    const yaml = renderConfig({ port: 40123, registrationGraceMs: 250 });
    expect(yaml).toContain('registration_namespace_grace_ms: 250\n');
    expect(yaml).toContain('  - name: iii-worker-manager\n');
    expect(yaml).toContain('      host: "127.0.0.1"\n      port: 40123\n');
    expect(yaml.match(/- name:/g)).toHaveLength(1);
    expect(yaml).not.toContain('0.0.0.0');
  });

  it('adds optional keys only when asked', () => {
    const yaml = renderConfig({
      port: 1,
      registrationGraceMs: 0,
      handshakeTimeoutMs: 3000,
      logLevel: 'debug',
    });
    expect(yaml).toContain('      handshake_timeout_ms: 3000\n');
    expect(yaml).toContain('  - name: iii-observability\n    config:\n      level: debug\n');
  });

  it('refuses numbers the engine would reject', () => {
    expect(() => renderConfig({ port: 0, registrationGraceMs: 1 })).toThrow(/port/);
    expect(() => renderConfig({ port: 70_000, registrationGraceMs: 1 })).toThrow(/port/);
    expect(() => renderConfig({ port: 1, registrationGraceMs: 1.5 })).toThrow(/Grace/);
  });
});

describe('iii log ring', () => {
  it('strips colours, joins split lines and keeps the last lines', () => {
    const seen: string[] = [];
    const ring = new LogRing(3, (line) => seen.push(line));
    ring.write('\x1b[32mINFO\x1b[0m one\nt');
    ring.write('wo\r\nthree\nfour\nfive (no newline yet)');
    // Asking for more than the ring holds says that lines were let go.
    expect(ring.tail(10)).toEqual([
      '[harness] 1 earlier line dropped (the log keeps the last 3)',
      'two',
      'three',
      'four',
      'five (no newline yet)',
    ]);
    expect(ring.tail(4)).toEqual(['two', 'three', 'four', 'five (no newline yet)']);
    expect(ring.tail(2)).toEqual(['four', 'five (no newline yet)']);
    expect(seen).toEqual(['INFO one', 'two', 'three', 'four']);
    ring.flush();
    expect(ring.tail(1)).toEqual(['five (no newline yet)']);
    expect(ring.tail(0)).toEqual([]);
  });
});

describe('iii socket audit', () => {
  const tcp = (local: string, remote: string, state = 'ESTABLISHED'): SocketEntry => ({
    proto: 'tcp',
    local,
    remote,
    state,
  });

  it('accepts loopback listeners and loopback peers only', () => {
    const fine = [
      tcp('127.0.0.1:4000', '*:0', 'LISTEN'),
      tcp('127.0.0.1:4000', '127.0.0.1:51000'),
      tcp('::1:4000', '::1:51000'),
      tcp('::ffff:127.0.0.1:4000', '::ffff:127.0.0.1:9'),
    ];
    expect(nonLoopback(fine)).toEqual([]);
  });

  it.skipIf(!canAuditSockets())("reads this process's own listeners from /proc", async () => {
    const v4 = await listen('127.0.0.1');
    try {
      const port = (v4.address() as { port: number }).port;
      const mine = socketsOf(process.pid).filter((s) => s.local === `127.0.0.1:${port}`);
      expect(mine).toEqual([
        { proto: 'tcp', local: `127.0.0.1:${port}`, remote: '*:0', state: 'LISTEN' },
      ]);
    } finally {
      v4.close();
    }
  });

  it('flags wildcard listeners and foreign peers', () => {
    const bad = [
      tcp('*:49134', '*:0', 'LISTEN'),
      tcp('10.0.0.5:4000', '*:0', 'LISTEN'),
      tcp('127.0.0.1:4000', '10.0.0.1:443'),
      tcp('127.0.0.1:4000', '::ffff:8.8.8.8:53'),
      tcp('fe80:0:0:0:0:0:0:1:80', '::1:1'),
    ];
    expect(nonLoopback(bad)).toEqual(bad);
  });
});

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

function catchError(fn: () => unknown): IiiEngineError {
  try {
    fn();
  } catch (err) {
    return err as IiiEngineError;
  }
  throw new Error('expected an error');
}
