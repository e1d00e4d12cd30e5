// conformance::<lang>::recall. An engine restart drops every invocation in
// flight, so the answer of a write, read or relay call under way never
// reaches the harness; the call itself goes on in this process. Each call's
// answer is therefore also kept here by cell, and the harness asks for it
// again through the restarted engine. Pure bookkeeping: the handlers' work
// does not change.

/** The calls whose answers recall gives back, in the order it names them. */
export type CallKind = 'write' | 'read' | 'relay';
const KINDS: readonly CallKind[] = ['write', 'read', 'relay'];

/**
 * The contract's minimum. A digest carries a record per text, so a cell can
 * weigh a lot; keeping more would be memory spent on cells nobody asks about.
 */
export const RECALL_CELLS = 64;

export interface Recalled {
  running: CallKind[];
  write?: unknown;
  read?: unknown;
  relay?: unknown;
}

interface CellRecord {
  /** One entry per call at work, so two reads of one cell (fan-out) each clear only their own. */
  running: Map<symbol, CallKind>;
  results: Partial<Record<CallKind, unknown>>;
}

/** One call's bookkeeping; exactly one of the two is called when the call ends. */
export interface CallMark {
  finished(result: unknown): void;
  failed(): void;
}

const NOTHING_TO_KEEP: CallMark = { finished: () => {}, failed: () => {} };

export class RecallStore {
  /** In order of last activity: the first entry is the one evicted next. */
  private readonly cells = new Map<string, CellRecord>();

  constructor(readonly capacity = RECALL_CELLS) {}

  get size(): number {
    return this.cells.size;
  }

  /**
   * Marks a `kind` call for `cell` as running. The answer it will give
   * replaces the last such call's, so until it ends there is none: a rerun of
   * a cell must never be answered with the previous run's digest.
   */
  begin(cell: string, kind: CallKind): CallMark {
    // A call without a cell (a bare ref as the whole payload) can never be asked about.
    if (!cell) return NOTHING_TO_KEEP;
    const token = Symbol(kind);
    const record = this.touch(cell);
    record.running.set(token, kind);
    delete record.results[kind];
    return {
      finished: (result) => this.end(cell, token, kind, result),
      failed: () => this.end(cell, token, kind, undefined),
    };
  }

  recall(cell: string): Recalled {
    const record = this.cells.get(cell);
    if (!record) return { running: [] };
    const at = new Set(record.running.values());
    return { running: KINDS.filter((kind) => at.has(kind)), ...record.results };
  }

  private end(cell: string, token: symbol, kind: CallKind, result: unknown): void {
    // The cell may have been evicted while the call ran; its answer is then
    // the newest thing known about it and comes back in.
    const record = this.touch(cell);
    record.running.delete(token);
    if (result !== undefined) record.results[kind] = result;
  }

  /** The cell's record, created if need be, moved to the newest end. */
  private touch(cell: string): CellRecord {
    const record = this.cells.get(cell) ?? { running: new Map(), results: {} };
    this.cells.delete(cell);
    this.cells.set(cell, record);
    while (this.cells.size > this.capacity) {
      const oldest = this.cells.keys().next().value as string;
      this.cells.delete(oldest);
    }
    return record;
  }
}

/**
 * The cell as the caller sent it, read before validation so that a rejected
 * request still clears what an earlier call left for that cell.
 */
export function cellOf(payload: unknown): string {
  if (payload === null || typeof payload !== 'object') return '';
  const cell = (payload as { cell?: unknown }).cell;
  return typeof cell === 'string' ? cell : '';
}

/**
 * `handler` with its answer kept for recall: marked running from entry,
 * stored when it answers, absent when it throws (the SDK then answers with
 * an invocation error, which has no digest to give back either).
 */
export function remembered<T>(
  store: RecallStore,
  kind: CallKind,
  handler: (payload: unknown) => Promise<T>,
): (payload: unknown) => Promise<T> {
  return async (payload) => {
    const mark = store.begin(cellOf(payload), kind);
    try {
      const result = await handler(payload);
      mark.finished(result);
      return result;
    } catch (err) {
      mark.failed();
      throw err;
    }
  };
}
