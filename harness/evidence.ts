// Frame logs for cells that did not pass: what crossed the engine (the
// reference broker records both ends of every channel) and what the raw peer
// sent or saw. Sizes, types, order and close codes only: never payloads or keys.
import { diagnosticsUrl } from '../engines/reference/adapter.ts';
import type { StageReport } from './cell-runner.ts';
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
