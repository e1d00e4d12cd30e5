// The raw-frame peer as a stage of a cell: `raw` stands where a worker
// language would, but runs inside the harness and speaks frames directly.

import type { ChannelRef } from './orchestrator.ts';
import { type RawOp, rawRead, rawWrite } from './raw-peer/index.ts';
import type { Capabilities, Description, Digest, ReadSpec } from './schema/types.ts';
import type { Slice } from './seeded-stream.ts';

export const RAW = 'raw';

export const RAW_CAPABILITIES: Capabilities = {
  write_styles: ['AWAITED'],
  read_styles: ['READ_ALL', 'STREAM'],
  exit: false,
  abort: true,
  produce: false,
  relay: false,
  text_callback: true,
  fanout: false,
  recall: false,
};

export const RAW_DESCRIPTION: Description = {
  lang: RAW,
  sdk: { name: 'raw WebSocket frames (harness)', version: 'RFC 6455' },
  worker_version: 'in-process',
  capabilities: RAW_CAPABILITIES,
  contract_version: '1',
};

/** A frame log as evidence: sizes, types, order and close codes only. */
export type FrameEvidence = unknown;

export interface RawStageResult {
  digest: Digest;
  frames: FrameEvidence;
  log: string[];
}

/** Close codes that mean a normal end; anything else is an error the user must see. */
const CLEAN_CLOSE = new Set([1000, 1005]);

export async function rawWriterStage(
  engineUrl: string,
  ref: ChannelRef,
  ops: RawOp[],
  cell: string,
  deadlineMs: number,
): Promise<RawStageResult> {
  const log: string[] = [];
  const report = await rawWrite({ engineUrl, ref, ops, deadlineMs, cell, log: (l) => log.push(l) });
  return { digest: report.digest, frames: report.frames, log };
}

export async function rawReaderStage(
  engineUrl: string,
  ref: ChannelRef,
  read: ReadSpec,
  expect: Slice[],
  cell: string,
  deadlineMs: number,
): Promise<RawStageResult> {
  const log: string[] = [];
  const report = await rawRead({
    engineUrl,
    ref,
    deadlineMs,
    cell,
    expect,
    startDelayMs: read.start_delay_ms || undefined,
    stopAfterBytes: read.stop_after_bytes || undefined,
    log: (l) => log.push(l),
  });
  const digest = { ...report.digest };
  const code = report.close?.code;
  if (digest.end === 'closed' && code !== undefined && !CLEAN_CLOSE.has(code)) {
    digest.end = 'error';
    digest.error = {
      code: `CLOSE_${code}`,
      message: report.close?.reason ?? '',
      stage: 'read',
    };
  }
  return { digest, frames: report.frames, log };
}
