// End to end through the real CLI: the reference broker, the three SDK
// workers and the raw peer, checked byte-exact; then the same path with the
// broker corrupting a byte or dropping a text, which must turn cells into
// FAILs that name the offset or the text.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('the main job, end to end', () => {
  it('passes a few cells across ts, py, rs and raw with byte-exact digests', async () => {
    const run = await runCli([
      'run',
      '--langs',
      'ts,py,rs,raw',
      '--scenario',
      'frames/size-65537,interleave/unicode,pipeline/three-languages,ownership/producer-created',
      '--no-expectations',
    ]);
    expect(run.exitCode, run.output).toBe(0);
    const results = run.results();
    const verdicts = new Set(results.cells.map((c) => c.verdict));
    expect([...verdicts].sort()).toEqual(['PASS', 'SKIP']);
    const passed = results.cells.filter((c) => c.verdict === 'PASS');
    // 16 pairs each for frames and interleave, 3 rotations, 9 producer pairs
    // (the raw peer can neither create channels nor be triggered: 7 SKIP).
    expect(passed.length).toBe(16 + 16 + 3 + 9);
    for (const cell of passed) {
      expect(cell.observed?.bytes, cell.id).toBe(cell.expected.bytes);
      expect(cell.observed?.sha256, cell.id).toBe(cell.expected.sha256);
      expect(cell.writer_digest?.sha256 ?? cell.expected.sha256, cell.id).toBe(
        cell.expected.sha256,
      );
      expect(cell.observed?.texts_sha256, cell.id).toBe(cell.expected.texts_sha256);
    }
    expect(Object.keys(results.workers).sort()).toEqual(['py', 'raw', 'rs', 'ts']);
    for (const file of ['results.json', 'junit.xml', 'summary.md', 'index.html']) {
      expect(readdirSync(run.reportDir)).toContain(file);
    }
  });

  it('names the first differing byte when the engine flips one', async () => {
    const run = await runCli(
      [
        'run',
        '--langs',
        'ts,py,rs',
        '--scenario',
        'interleave/text-between-binary',
        '--no-expectations',
      ],
      { III_REFERENCE_INJECT_FAULTS: 'flip-byte:65540' },
    );
    expect(run.exitCode).toBe(1);
    const cells = run.results().cells;
    expect(cells).toHaveLength(9);
    for (const cell of cells) {
      expect(cell.verdict, cell.id).toBe('FAIL');
      expect(cell.reason, cell.id).toContain('first differing byte at offset 65540');
      expect(cell.logs?.engine?.length, cell.id).toBeGreaterThan(0);
    }
  });

  it('names the missing text when the engine drops one', async () => {
    const run = await runCli(
      [
        'run',
        '--langs',
        'py,rs',
        '--scenario',
        'interleave/text-between-binary',
        '--no-expectations',
      ],
      { III_REFERENCE_INJECT_FAULTS: 'drop-text:1' },
    );
    expect(run.exitCode).toBe(1);
    for (const cell of run.results().cells) {
      expect(cell.verdict, cell.id).toBe('FAIL');
      expect(cell.reason, cell.id).toContain('missing text #1 "middle 🚀"');
    }
  });

  it('never writes an access key into a report or log', async () => {
    const run = await runCli([
      'run',
      '--langs',
      'ts,py',
      '--scenario',
      'lifecycle/wrong-key-reader',
      '--no-expectations',
    ]);
    const files = [
      ...['results.json', 'junit.xml', 'summary.md', 'index.html'].map((f) =>
        join(run.reportDir, f),
      ),
      ...readdirSync(join(run.reportDir, 'logs')).map((f) => join(run.reportDir, 'logs', f)),
    ];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/"access_key"\s*:\s*"[0-9a-f-]{16,}/);
      expect(text, file).not.toMatch(new RegExp(`key=${UUID.source}`));
    }
  });
});
