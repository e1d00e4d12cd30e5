// Counters one channel keeps for diagnostics: sizes and codes, no payloads.

export interface ChannelStats {
  /** Bytes in the FIFO now. */
  queuedBytes: number;
  peakQueuedItems: number;
  peakQueuedBytes: number;
  /** Most frames ever waiting outside the FIFO after the writer was paused. */
  peakHeldItems: number;
  itemsIn: number;
  bytesIn: number;
  itemsOut: number;
  bytesOut: number;
  /** compat: items accepted from the writer after the reader had left. */
  itemsDiscarded: number;
  /** How often the writer's socket was paused because the FIFO was full. */
  writerPauses: number;
  /** Connects refused or upgraded-then-closed (wrong key, taken, finished). */
  refusedConnects: number;
  writerCloseCode: number | undefined;
  readerCloseCode: number | undefined;
  endReason: string | undefined;
}

export function emptyStats(): ChannelStats {
  return {
    queuedBytes: 0,
    peakQueuedItems: 0,
    peakQueuedBytes: 0,
    peakHeldItems: 0,
    itemsIn: 0,
    bytesIn: 0,
    itemsOut: 0,
    bytesOut: 0,
    itemsDiscarded: 0,
    writerPauses: 0,
    refusedConnects: 0,
    writerCloseCode: undefined,
    readerCloseCode: undefined,
    endReason: undefined,
  };
}
