// Frame logs for cells that did not pass: what crossed the engine (the
// reference broker records both ends of every channel) and what the raw peer
// sent or saw. Sizes, types, order and close codes only: never payloads or keys.
import { diagnosticsUrl } from '../engines/reference/adapter.ts';
import type { StageReport } from './cell-runner.ts';
import type { EngineGrowth } from './engine-memory.ts';
import type { FrameLogEntry, FrameLogView } from './raw-peer/index.ts';

export interface FrameEvidence {
  /** which log: "engine <channel id prefix>" or "raw-writer" / "raw-reader" */
  source?: string;
  t?: number;
  side?: string;
  dir: string;
  type: string;
  size: number;
  code?: number;
}

const FETCH_TIMEOUT_MS = 2000;
/** Enough to show how a stream ended without bloating results.json. */
const KEEP = 200;

async function brokerFrames(wsUrl: string, channelId: string): Promise<FrameEvidence[]> {
  const url = `${diagnosticsUrl(wsUrl)}channels/${encodeURIComponent(channelId)}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) return [];
  const body = (await response.json()) as { frames?: Omit<FrameEvidence, 'source'>[] };
  const source = `engine ${channelId.slice(0, 8)}`;
  return (body.frames ?? []).slice(-KEEP).map((f) => ({ source, ...f }));
}

function rawFrames(stage: StageReport): FrameEvidence[] {
  const view = stage.frames as FrameLogView | undefined;
  return (view?.entries ?? []).slice(-KEEP).map((f: FrameLogEntry) => ({
    source: `raw-${stage.role}`,
    dir: f.dir,
    type: f.type,
    size: f.size,
    ...(f.closeCode !== undefined ? { code: f.closeCode } : {}),
  }));
}

/** Frame logs of a cell; an engine without diagnostics contributes nothing. */
export async function collectFrames(
  engineKind: string,
  wsUrl: string,
  channelIds: readonly string[],
  stages: readonly StageReport[],
): Promise<FrameEvidence[]> {
  const fromEngine = engineKind.startsWith('reference')
    ? (await Promise.all(channelIds.map((id) => brokerFrames(wsUrl, id).catch(() => [])))).flat()
    : [];
  return [...fromEngine, ...stages.filter((s) => s.frames).flatMap(rawFrames)];
}

/** Memory evidence of a backpressure cell: what the engine and the writer held at their peak. */
export interface MemoryMetrics {
  /** the engine process's peak resident set (reference broker only) */
  engine_peak_rss_kib?: number;
  /** per channel: the most messages and bytes the engine queued at once */
  channels?: { buffer_size: number; peak_queued_items: number; peak_queued_bytes: number }[];
  /** the writer worker process's peak resident set, from its digest */
  writer_peak_rss_kib?: number;
  /** cells with an engine memory bound: the engine's growth while the reader waited */
  engine_growth?: EngineGrowth & { bound_kib: number };
  /** why the engine's growth could not be measured, when it could not */
  engine_growth_unmeasured?: string;
}

async function getJson(url: string): Promise<Record<string, unknown> | null> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  return response.ok ? ((await response.json()) as Record<string, unknown>) : null;
}

/**
 * Records peak memory for a cell. The real engine exposes no such numbers,
 * so on it only the writer's own peak is known.
 */
export async function collectMemory(
  engineKind: string,
  wsUrl: string,
  channelIds: readonly string[],
  writerPeakKib: number | undefined,
): Promise<MemoryMetrics> {
  const metrics: MemoryMetrics = {};
  if (writerPeakKib) metrics.writer_peak_rss_kib = writerPeakKib;
  if (!engineKind.startsWith('reference')) return metrics;
  const base = diagnosticsUrl(wsUrl);
  const broker = await getJson(`${base}broker`).catch(() => null);
  if (typeof broker?.peakRssBytes === 'number') {
    metrics.engine_peak_rss_kib = Math.round(broker.peakRssBytes / 1024);
  }
  const channels = await Promise.all(
    channelIds.map((id) => getJson(`${base}channels/${encodeURIComponent(id)}`).catch(() => null)),
  );
  metrics.channels = channels.flatMap((c) =>
    c
      ? [
          {
            buffer_size: Number(c.bufferSize ?? 0),
            peak_queued_items: Number(c.peakQueuedItems ?? 0),
            peak_queued_bytes: Number(c.peakQueuedBytes ?? 0),
          },
        ]
      : [],
  );
  return metrics;
}
