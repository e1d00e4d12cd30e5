// A Digest fed as the stream goes, so a deadline that stops the work early
// still reports exactly what happened up to that point.
import { createHash, type Hash } from 'node:crypto';
import type { Mismatch } from './expect.ts';

export type End = 'closed' | 'error' | 'stopped' | 'timeout' | 'open';
export type Stage = 'connect' | 'write' | 'text' | 'close' | 'read' | 'plan';

interface TextRecord {
  length: number;
  sha256: string;
  at_byte: number;
  preview: string;
}

export class DigestBuilder {
  private readonly started = performance.now();
  private readonly bytesHash: Hash = createHash('sha256');
  private readonly textsHash: Hash = createHash('sha256');
  private readonly texts: TextRecord[] = [];
  private startMs = 0;
  private firstByteMs = 0;
  private endMs = 0;
  bytes = 0;
  chunks = 0;
  emptyChunks = 0;
  maxChunk = 0;
  end: End = 'closed';
  error?: { code: string; message: string; stage: Stage };
  mismatch?: Mismatch;

  constructor(
    readonly role: string,
    readonly lang: string,
  ) {}

  /** Milliseconds since handler entry. */
  now(): number {
    return Math.round(performance.now() - this.started);
  }

  /** Call right before the first SDK channel call. */
  markStart(): void {
    if (!this.startMs) this.startMs = Math.max(1, this.now());
  }

  chunk(data: Uint8Array): void {
    this.chunks += 1;
    if (data.length === 0) this.emptyChunks += 1;
    this.maxChunk = Math.max(this.maxChunk, data.length);
    if (data.length > 0 && !this.firstByteMs) this.firstByteMs = Math.max(1, this.now());
    this.bytes += data.length;
    this.bytesHash.update(data);
  }

  text(value: string): void {
    const utf8 = Buffer.from(value, 'utf8');
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(utf8.length);
    this.textsHash.update(prefix).update(utf8);
    this.texts.push({
      length: utf8.length,
      sha256: createHash('sha256').update(utf8).digest('hex'),
      at_byte: this.bytes,
      // "Characters" are Unicode code points, so a 4-byte emoji is never split.
      preview: Array.from(value).slice(0, 16).join(''),
    });
  }

  fail(stage: Stage, err: unknown): void {
    if (this.end === 'error') return;
    const e = err as { code?: unknown; name?: string; message?: string };
    this.end = 'error';
    this.error = {
      code: typeof e?.code === 'string' ? e.code : (e?.name ?? 'Error'),
      // A channel URL carries its access key as ?key=; it must never leave.
      message: String(e?.message ?? err).replace(/key=[^&\s]*/g, 'key=<redacted>'),
      stage,
    };
  }

  finish(end?: End): Record<string, unknown> {
    if (end && this.end !== 'error') this.end = end;
    this.endMs = this.now();
    return {
      role: this.role,
      lang: this.lang,
      bytes: this.bytes,
      sha256: this.bytesHash.copy().digest('hex'),
      texts: this.texts,
      texts_sha256: this.textsHash.copy().digest('hex'),
      chunks: this.chunks,
      empty_chunks: this.emptyChunks,
      max_chunk: this.maxChunk,
      end: this.end,
      ...(this.error ? { error: this.error } : {}),
      timing: { start_ms: this.startMs, first_byte_ms: this.firstByteMs, end_ms: this.endMs },
      rss_peak_kib: process.resourceUsage().maxRSS,
      ...(this.mismatch ? { mismatch: this.mismatch } : {}),
    };
  }
}
