// The recall store without an engine: what it keeps per cell, how long, and
// what a running or failed call leaves behind; and the recall request's
// validation. Recall across a real broker is in e2e-recall.test.ts.
import { describe, expect, it } from 'vitest';
import { RECALL_CELLS, RecallStore, remembered } from '../src/recall.ts';
import { parseRecall } from '../src/requests.ts';
import { InvalidRequest } from '../src/schema.ts';

const digest = (role: string, bytes: number) => ({ digest: { role, bytes, end: 'closed' } });

/** A promise the test settles by hand, standing in for a handler still at work. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('recall store', () => {
  it('answers an unknown cell with nothing running and no results', () => {
    expect(new RecallStore().recall('never/seen')).toEqual({ running: [] });
  });

  it('marks a call running until it ends, then keeps exactly what it returned', () => {
    const store = new RecallStore();
    const mark = store.begin('c', 'read');
    expect(store.recall('c')).toEqual({ running: ['read'] });

    const answer = digest('reader', 10);
    mark.finished(answer);
    const recalled = store.recall('c');
    expect(recalled).toEqual({ running: [], read: answer });
    expect(recalled.read).toBe(answer);
  });

  it('keeps write, read and relay side by side and names the running ones in order', () => {
    const store = new RecallStore();
    const relay = store.begin('c', 'relay');
    const read = store.begin('c', 'read');
    const write = store.begin('c', 'write');
    expect(store.recall('c').running).toEqual(['write', 'read', 'relay']);

    write.finished(digest('writer', 1));
    relay.finished({ input: {}, output: {} });
    expect(store.recall('c')).toEqual({
      running: ['read'],
      write: digest('writer', 1),
      relay: { input: {}, output: {} },
    });
    read.finished(digest('reader', 1));
    expect(store.recall('c').running).toEqual([]);
  });

  it('leaves the field absent when a call fails, and clears its running mark', () => {
    const store = new RecallStore();
    store.begin('c', 'write').failed();
    expect(store.recall('c')).toEqual({ running: [] });
  });

  it('answers with the latest call of a kind: a rerun drops the earlier run', () => {
    const store = new RecallStore();
    store.begin('c', 'write').finished(digest('writer', 1));
    const rerun = store.begin('c', 'write');
    expect(store.recall('c')).toEqual({ running: ['write'] });
    rerun.failed();
    expect(store.recall('c')).toEqual({ running: [] });
  });

  it('keeps a kind running while any of its calls is (two readers of a fan-out)', () => {
    const store = new RecallStore();
    const first = store.begin('c', 'read');
    const second = store.begin('c', 'read');
    first.finished(digest('reader', 1));
    expect(store.recall('c')).toEqual({ running: ['read'], read: digest('reader', 1) });
    second.finished(digest('reader', 2));
    expect(store.recall('c')).toEqual({ running: [], read: digest('reader', 2) });
  });

  it(`keeps the last ${RECALL_CELLS} cells and evicts the oldest`, () => {
    const store = new RecallStore();
    for (let i = 0; i < 200; i++) store.begin(`cell-${i}`, 'write').finished(digest('writer', i));
    expect(store.size).toBe(RECALL_CELLS);
    expect(store.recall(`cell-${200 - RECALL_CELLS - 1}`)).toEqual({ running: [] });
    for (let i = 200 - RECALL_CELLS; i < 200; i++) {
      expect(store.recall(`cell-${i}`).write).toEqual(digest('writer', i));
    }
  });

  it('counts age from the last activity, and a call that outlived its eviction comes back', () => {
    const store = new RecallStore(2);
    const slow = store.begin('slow', 'read');
    store.begin('a', 'write').finished(digest('writer', 1));
    store.begin('b', 'write').finished(digest('writer', 2));
    expect(store.recall('slow')).toEqual({ running: [] });

    slow.finished(digest('reader', 3));
    expect(store.size).toBe(2);
    expect(store.recall('slow')).toEqual({ running: [], read: digest('reader', 3) });
    expect(store.recall('a')).toEqual({ running: [] });
    expect(store.recall('b').write).toEqual(digest('writer', 2));
  });

  it('keeps nothing for a call without a cell (a bare ref as the payload)', () => {
    const store = new RecallStore();
    store.begin('', 'read').finished(digest('reader', 1));
    expect(store.size).toBe(0);
  });
});

describe('remembered handlers', () => {
  it('is running while the handler works and keeps the very object it answered', async () => {
    const store = new RecallStore();
    const work = pending<unknown>();
    const handler = remembered(store, 'read', () => work.promise);
    const call = handler({ cell: 'c', reader: {} });
    expect(store.recall('c')).toEqual({ running: ['read'] });

    const answer = digest('reader', 5);
    work.resolve(answer);
    await expect(call).resolves.toBe(answer);
    expect(store.recall('c').read).toBe(answer);
  });

  it('passes a throw on untouched and keeps no result, so an invalid request leaves nothing', async () => {
    const store = new RecallStore();
    const invalid = new InvalidRequest('plan.ops[0]', 'no operation set');
    const handler = remembered(store, 'write', async () => {
      throw invalid;
    });
    await expect(handler({ cell: 'c', plan: { ops: [{}] } })).rejects.toBe(invalid);
    expect(store.recall('c')).toEqual({ running: [] });
  });

  it('cannot mark a payload whose cell is not a string', async () => {
    const store = new RecallStore();
    const handler = remembered(store, 'write', async () => {
      throw new InvalidRequest('cell', 'expected a string');
    });
    await expect(handler({ cell: 7 })).rejects.toThrow('INVALID_REQUEST');
    await expect(handler(null)).rejects.toThrow('INVALID_REQUEST');
    expect(store.size).toBe(0);
  });
});

describe('recall requests', () => {
  it('takes the cell and ignores engine keys', () => {
    expect(parseRecall({ cell: 'frames/size-1 ts->py@reference', _caller_worker_id: 'w' })).toEqual(
      { cell: 'frames/size-1 ts->py@reference' },
    );
  });

  it.each([
    ['a missing cell', {}, 'INVALID_REQUEST: cell: must name the cell'],
    ['an empty cell', { cell: '' }, 'INVALID_REQUEST: cell: must name the cell'],
    ['a null cell', { cell: null }, 'INVALID_REQUEST: cell: must name the cell'],
    ['a cell that is not a string', { cell: 7 }, 'INVALID_REQUEST: cell: expected a string'],
    ['an unknown field', { cell: 'c', running: [] }, 'INVALID_REQUEST: running: unknown field'],
    ['a payload that is not an object', ['c'], 'INVALID_REQUEST: (payload): expected a JSON'],
  ])('rejects %s', (_name, payload, message) => {
    expect(() => parseRecall(payload)).toThrow(InvalidRequest);
    expect(() => parseRecall(payload)).toThrow(message);
  });
});
