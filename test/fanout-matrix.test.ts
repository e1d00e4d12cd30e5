// Pins how harness/matrix.ts expands fan-out scenarios into cells (one cell
// per worker writer, every run language as a reader with raw last) and that
// pair and pipeline cell ids keep the shape expectations files and --cell
// globs already rely on.
import { describe, expect, it } from 'vitest';
import { cellLangs, expandCells, mapStages, stagesLabel } from '../harness/matrix.ts';
import { pipelineScenarios } from '../scenarios/pipeline.ts';
import { bytes, close, plan, readAll } from '../scenarios/plans.ts';
import type { Scenario, Topology } from '../scenarios/types.ts';
import { matrixOptions as opts } from './helpers/judging.ts';

const fanOut = pipelineScenarios.find((s) => s.id === 'pipeline/fan-out') as Scenario;

function scenario(id: string, topology: Topology, extra: Partial<Scenario> = {}): Scenario {
  return {
    id,
    family: 'pipeline',
    level: 'MUST',
    summary: 'test scenario',
    tier: 'quick',
    topology,
    plan: plan([bytes('m', 10), close()]),
    read: readAll,
    ...extra,
  };
}

describe('expandCells: fan-out', () => {
  it('uses the catalogue scenario with a fan-out topology', () => {
    expect(fanOut).toBeDefined();
    expect(fanOut.topology).toEqual({ kind: 'fanout' });
  });

  it('makes one cell per worker writer, never raw, each reading with every language', () => {
    const cells = expandCells([fanOut], opts(['ts', 'py', 'rs', 'raw']));
    expect(cells.map((c) => c.id)).toEqual([
      'pipeline/fan-out ts->ts+py+rs+raw@reference',
      'pipeline/fan-out py->ts+py+rs+raw@reference',
      'pipeline/fan-out rs->ts+py+rs+raw@reference',
    ]);
    for (const c of cells) {
      expect(c.writer).not.toBe('raw');
      expect(c.relays).toEqual([]);
      expect(c.reader).toBe('ts');
      expect(c.fanout).toEqual(['py', 'rs', 'raw']);
      expect(c.scenario).toBe(fanOut);
      expect(c.engine).toBe('reference');
      expect(c.attempt).toBe(1);
    }
  });

  it('puts raw last among the readers wherever it appears in --langs', () => {
    const cells = expandCells([fanOut], opts(['raw', 'py', 'ts']));
    expect(cells.map((c) => c.id)).toEqual([
      'pipeline/fan-out py->py+ts+raw@reference',
      'pipeline/fan-out ts->py+ts+raw@reference',
    ]);
    expect(cells[0]?.reader).toBe('py');
    expect(cells[0]?.fanout).toEqual(['ts', 'raw']);
  });

  it('leaves raw out of the readers when the run does not include it', () => {
    const cells = expandCells([fanOut], opts(['ts', 'py']));
    expect(cells.map((c) => c.id)).toEqual([
      'pipeline/fan-out ts->ts+py@reference',
      'pipeline/fan-out py->ts+py@reference',
    ]);
    expect(cells.every((c) => !c.fanout?.includes('raw'))).toBe(true);
  });

  it('makes no fan-out cell when raw is the only language (raw never writes one)', () => {
    expect(expandCells([fanOut], opts(['raw']))).toEqual([]);
  });

  it('repeats every fan-out cell with the same id and numbered attempts', () => {
    const cells = expandCells([fanOut], opts(['ts', 'py'], { repeat: 2 }));
    expect(cells.map((c) => [c.id, c.attempt])).toEqual([
      ['pipeline/fan-out ts->ts+py@reference', 1],
      ['pipeline/fan-out ts->ts+py@reference', 2],
      ['pipeline/fan-out py->ts+py@reference', 1],
      ['pipeline/fan-out py->ts+py@reference', 2],
    ]);
  });

  it('takes the deadline from --timeout-ms, else the scenario, else the default', () => {
    const own = { ...fanOut, timeoutMs: 7000 };
    expect(expandCells([own], opts(['ts']))[0]?.timeoutMs).toBe(7000);
    expect(expandCells([fanOut], opts(['ts']))[0]?.timeoutMs).toBe(fanOut.timeoutMs ?? 30_000);
    const forced = expandCells([own], opts(['ts'], { timeoutOverrideMs: 1234 }));
    expect(forced[0]?.timeoutMs).toBe(1234);
  });
});

describe('expandCells: pair and pipeline ids are unchanged', () => {
  it('names a pair cell writer->reader with no fan-out field', () => {
    const cells = expandCells([scenario('x', { kind: 'pair' })], opts(['ts', 'py']));
    expect(cells.map((c) => c.id)).toEqual([
      'x ts->ts@reference',
      'x ts->py@reference',
      'x py->ts@reference',
      'x py->py@reference',
    ]);
    const tsPy = cells.find((c) => c.id === 'x ts->py@reference');
    expect(tsPy).toMatchObject({ writer: 'ts', relays: [], reader: 'py' });
    expect(tsPy && 'fanout' in tsPy).toBe(false);
  });

  it('names a pipeline cell by every stage in flow order', () => {
    const pipe = scenario('x', { kind: 'pipeline', relays: 1 });
    const cells = expandCells([pipe], opts(['ts', 'py', 'rs', 'raw']));
    expect(cells.map((c) => c.id)).toEqual([
      'x ts->py->rs@reference',
      'x py->rs->ts@reference',
      'x rs->ts->py@reference',
    ]);
    expect(cells[0]).toMatchObject({ writer: 'ts', relays: ['py'], reader: 'rs' });
    expect(cells[0] && 'fanout' in cells[0]).toBe(false);
  });
});

describe('stage helpers', () => {
  const fan = { writer: 'py', relays: [], reader: 'ts', fanout: ['rs', 'raw'] };
  const pipe = { writer: 'ts', relays: ['py', 'rs'], reader: 'ts' };

  it('stagesLabel joins fan-out readers with + and pipelines with ->', () => {
    expect(stagesLabel(fan)).toBe('py->ts+rs+raw');
    expect(stagesLabel(pipe)).toBe('ts->py->rs->ts');
    expect(stagesLabel({ writer: 'ts', relays: [], reader: 'py' })).toBe('ts->py');
    // An empty fan-out list is a plain pair.
    expect(stagesLabel({ writer: 'ts', relays: [], reader: 'py', fanout: [] })).toBe('ts->py');
  });

  it('mapStages swaps every language, fan-out readers included', () => {
    const up = (l: string) => l.toUpperCase();
    expect(mapStages(fan, up)).toEqual({
      writer: 'PY',
      relays: [],
      reader: 'TS',
      fanout: ['RS', 'RAW'],
    });
    const mapped = mapStages(pipe, up);
    expect(mapped).toEqual({ writer: 'TS', relays: ['PY', 'RS'], reader: 'TS' });
    expect('fanout' in mapped).toBe(false);
    // The input is left as it was.
    expect(fan.fanout).toEqual(['rs', 'raw']);
  });

  it('cellLangs lists each language once, in flow order', () => {
    expect(cellLangs(fan)).toEqual(['py', 'ts', 'rs', 'raw']);
    expect(cellLangs(pipe)).toEqual(['ts', 'py', 'rs']);
    expect(cellLangs({ writer: 'ts', relays: [], reader: 'ts', fanout: ['py', 'ts'] })).toEqual([
      'ts',
      'py',
    ]);
  });

  it('a fan-out cell id is its scenario, stagesLabel and engine', () => {
    for (const c of expandCells([fanOut], opts(['ts', 'py', 'raw']))) {
      expect(c.id).toBe(`pipeline/fan-out ${stagesLabel(c)}@reference`);
      expect(cellLangs(c)).toEqual([
        c.writer,
        ...['ts', 'py', 'raw'].filter((l) => l !== c.writer),
      ]);
    }
  });
});
