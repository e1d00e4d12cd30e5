// Faults the harness asks of the engine itself: a short TTL for one channel
// (the reference broker's diagnostics endpoint) and a restart mid-cell.
import { diagnosticsUrl } from '../engines/reference/adapter.ts';

const REQUEST_TIMEOUT_MS = 2000;

/** Why an engine cannot shorten one channel's TTL, or null when it can. */
export function channelTtlUnsupported(engineKind: string): string | null {
  if (engineKind.startsWith('reference')) return null;
  return (
    `engine ${engineKind} has no way to shorten its channel TTL (iii 0.23 hard-codes 5 minutes ` +
    'in CHANNEL_TTL); the sweep runs on --engine reference'
  );
}

/** Gives one channel a TTL of its own; the engine sweeps it when that runs out. */
export async function shortenChannelTtl(
  engineUrl: string,
  channelId: string,
  ttlMs: number,
): Promise<void> {
  const url = `${diagnosticsUrl(engineUrl)}channels/${encodeURIComponent(channelId)}/ttl?ms=${ttlMs}`;
  const response = await fetch(url, {
    method: 'POST',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!response.ok) {
    const body = await response.text().catch(() => '');
    throw new Error(
      `the engine refused a ${ttlMs} ms TTL for channel ${channelId.slice(0, 8)}: ${response.status} ${body}`,
    );
  }
}
