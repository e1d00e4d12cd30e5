// Pins which cells the proxy-fault scenarios expand into (harness/matrix.ts:
// a stalled upgrade pairs every SDK worker's side with the raw peer only, and
// raw is never the stalled side) and which workers the run starts a second
// time behind the fault proxy (harness/proxied-workers.ts).
import { describe, expect, it } from 'vitest';
import { type Cell, expandCells } from '../harness/matrix.ts';
import { needsProxy, proxiedCommands, proxiedTag } from '../harness/proxied-workers.ts';
import type { WorkerCommand } from '../harness/runtime/worker-process.ts';
import type { Scenario } from '../scenarios/types.ts';
import { matrixOptions as opts, scenarioById } from './helpers/judging.ts';

const reset = scenarioById('lifecycle/writer-reset-via-proxy');
const stalledReader = scenarioById('lifecycle/reader-upgrade-never-answered');
const stalledWriter = scenarioById('lifecycle/writer-upgrade-never-answered');
const plain = scenarioById('lifecycle/wrong-key-reader');

const ids = (cells: readonly Cell[]) => cells.map((c) => c.id);

describe('expandCells: stalled-upgrade', () => {
  it('reader side: raw writes to every SDK reader, and raw never reads', () => {
    const cells = expandCells([stalledReader], opts(['ts', 'py', 'rs', 'raw']));
    expect(ids(cells)).toEqual([
      'lifecycle/reader-upgrade-never-answered raw->ts@reference',
      'lifecycle/reader-upgrade-never-answered raw->py@reference',
      'lifecycle/reader-upgrade-never-answered raw->rs@reference',
    ]);
    for (const c of cells) {
      expect(c.writer).toBe('raw');
      expect(c.reader).not.toBe('raw');
      expect(c.relays).toEqual([]);
      expect(c.fanout).toBeUndefined();
      expect(c.timeoutMs).toBe(20_000);
    }
  });

  it('writer side: every SDK writer writes to raw, and raw never writes', () => {
    const cells = expandCells([stalledWriter], opts(['ts', 'py', 'rs', 'raw']));
    expect(ids(cells)).toEqual([
      'lifecycle/writer-upgrade-never-answered ts->raw@reference',
      'lifecycle/writer-upgrade-never-answered py->raw@reference',
      'lifecycle/writer-upgrade-never-answered rs->raw@reference',
    ]);
    for (const c of cells) {
      expect(c.reader).toBe('raw');
      expect(c.writer).not.toBe('raw');
    }
  });

  it('follows the order of --langs wherever raw is listed', () => {
    expect(ids(expandCells([stalledReader], opts(['raw', 'rs', 'ts'])))).toEqual([
      'lifecycle/reader-upgrade-never-answered raw->rs@reference',
      'lifecycle/reader-upgrade-never-answered raw->ts@reference',
    ]);
  });

  it('pairs with the raw peer even when --langs leaves raw out (like the raw-ops scenarios)', () => {
    const cells = expandCells([stalledWriter, stalledReader], opts(['py']));
    expect(ids(cells)).toEqual([
      'lifecycle/writer-upgrade-never-answered py->raw@reference',
      'lifecycle/reader-upgrade-never-answered raw->py@reference',
    ]);
  });

  it('has no cell when raw is the only language: only an SDK handshake is on trial', () => {
    expect(expandCells([stalledReader, stalledWriter], opts(['raw']))).toEqual([]);
  });

  it('repeats each cell and honours an explicit --timeout-ms', () => {
    const cells = expandCells(
      [stalledWriter],
      opts(['ts', 'raw'], { repeat: 2, timeoutOverrideMs: 5000 }),
    );
    expect(cells.map((c) => [c.id, c.attempt, c.timeoutMs])).toEqual([
      ['lifecycle/writer-upgrade-never-answered ts->raw@reference', 1, 5000],
      ['lifecycle/writer-upgrade-never-answered ts->raw@reference', 2, 5000],
    ]);
  });

  it('leaves the writer reset via the proxy an ordinary all-pairs scenario', () => {
    expect(ids(expandCells([reset], opts(['ts', 'raw'])))).toEqual([
      'lifecycle/writer-reset-via-proxy ts->ts@reference',
      'lifecycle/writer-reset-via-proxy ts->raw@reference',
      'lifecycle/writer-reset-via-proxy raw->ts@reference',
      'lifecycle/writer-reset-via-proxy raw->raw@reference',
    ]);
  });
});

describe('proxied workers', () => {
  const command = (lang: string): WorkerCommand => ({
    lang,
    file: `/bin/${lang}-worker`,
    args: ['--serve', lang],
    cwd: `/work/${lang}`,
    env: { WHO: lang },
  });
  const workers = ['ts', 'py', 'rs'].map(command);
  const all = ['ts', 'py', 'rs', 'raw'];
  const cellsOf = (scenarios: Scenario[], langs = all) => expandCells(scenarios, opts(langs));

  it('tags a twin "<lang>_via_proxy"', () => {
    expect(proxiedTag('ts')).toBe('ts_via_proxy');
    expect(proxiedTag('go')).toBe('go_via_proxy');
  });

  it('needs the proxy only when some cell has a proxy fault', () => {
    expect(needsProxy([])).toBe(false);
    expect(needsProxy(cellsOf([plain]))).toBe(false);
    expect(needsProxy(cellsOf([plain, reset]))).toBe(true);
    expect(needsProxy(cellsOf([stalledReader]))).toBe(true);
    expect(needsProxy(cellsOf([stalledWriter], ['ts']))).toBe(true);
  });

  it('starts no twin for runs without proxy cells', () => {
    expect(proxiedCommands(cellsOf([plain]), workers)).toEqual([]);
  });

  it('starts a twin of each SDK writer for the reset cells, never one for raw', () => {
    const twins = proxiedCommands(cellsOf([reset]), workers);
    expect(twins.map((w) => w.tag)).toEqual(['ts_via_proxy', 'py_via_proxy', 'rs_via_proxy']);
    expect(twins.every((w) => w.lang !== 'raw')).toBe(true);
  });

  it('starts only the stalled side: the writers for writer stalls, the readers for reader stalls', () => {
    const onlyTsWrites = cellsOf([stalledWriter]).filter((c) => c.writer === 'ts');
    expect(proxiedCommands(onlyTsWrites, workers).map((w) => w.tag)).toEqual(['ts_via_proxy']);
    const pyReads = cellsOf([stalledReader]).filter((c) => c.reader === 'py');
    expect(proxiedCommands(pyReads, workers).map((w) => w.tag)).toEqual(['py_via_proxy']);
  });

  it('twins only the writer of a reset cell, not its reader', () => {
    const tsToPy = cellsOf([reset]).filter((c) => c.id.includes(' ts->py@'));
    expect(tsToPy).toHaveLength(1);
    expect(proxiedCommands(tsToPy, workers).map((w) => w.tag)).toEqual(['ts_via_proxy']);
  });

  it('starts a raw-only reset run with no twin at all', () => {
    expect(proxiedCommands(cellsOf([reset], ['raw']), workers)).toEqual([]);
  });

  it('keeps each command as it was, once, in the order of the workers, with its tag set', () => {
    const twins = proxiedCommands(cellsOf([plain, stalledReader, reset, stalledWriter]), workers);
    expect(twins).toEqual(workers.map((w) => ({ ...w, tag: `${w.lang}_via_proxy` })));
    // the run's own commands stay untouched for the direct workers
    for (const w of workers) expect(w.tag).toBeUndefined();
  });

  it('skips a language the cells need but the run has no command for', () => {
    const twins = proxiedCommands(cellsOf([stalledReader]), [command('py')]);
    expect(twins).toEqual([{ ...command('py'), tag: 'py_via_proxy' }]);
  });
});
