// What a worker reports of one end of a channel (the Digest message of
// fixtures/conformance.proto). Built incrementally so multi-megabyte streams
// are hashed as they pass, never held twice.
import { createHash, type Hash } from 'node:crypto';
import { redact } from './log.ts';

export type Role = 'writer' | 'reader' | 'relay-in' | 'relay-out';
export type End = 'closed' | 'error' | 'stopped' | 'timeout' | 'open' | 'aborted';
export type Stage = 'connect' | 'write' | 'text' | 'close' | 'read' | 'plan';

export interface TextRecord {
  length: number;
  sha256: string;
  at_byte: number;
  preview: string;
}

export interface ErrorInfo {
  code: string;
  message: string;
  stage: Stage;
}

export interface Mismatch {
  offset: number;
  chunk: number;
  chunk_offset: number;
  expected_hex: string;
  actual_hex: string;
}

export interface Digest {
  role: Role;
  lang: string;
  bytes: number;
  sha256: string;
  texts: TextRecord[];
  texts_sha256: string;
  chunks: number;
  empty_chunks: number;
  max_chunk: number;
  end: End;
  error?: ErrorInfo;
  timing: { start_ms: number; first_byte_ms: number; end_ms: number };
  rss_peak_kib: number;
  mismatch?: Mismatch;
}

export const sha256Hex = (data: Uint8Array | string): string =>
  createHash('sha256').update(data).digest('hex');

/** SHA-256 over u32be(utf8 length) || utf8 for each text, in order. */
export function textsSha256(texts: readonly string[]): string {
  const hash = createHash('sha256');
  const prefix = Buffer.alloc(4);
  for (const text of texts) {
    const utf8 = Buffer.from(text, 'utf8');
    prefix.writeUInt32BE(utf8.length);
    hash.update(prefix).update(utf8);
  }
  return hash.digest('hex');
}

/** The first 16 characters, counted in code points like Python and Rust do. */
export const preview = (text: string): string => Array.from(text).slice(0, 16).join('');

export function errorInfo(err: unknown, stage: Stage): ErrorInfo {
  const e = err as { code?: unknown; name?: string; message?: string } | undefined;
  const code = typeof e?.code === 'string' ? e.code : (e?.name ?? 'Error');
  return { code, message: redact(String(e?.message ?? err)), stage };
}

/** Connection failures surface on the stream like any error; name the stage honestly. */
export function stageOf(err: unknown, current: Stage): Stage {
  const text = String((err as Error)?.message ?? err);
  const connect = /Unexpected server response|ECONNREFUSED|handshake/i.test(text);
  return connect ? 'connect' : current;
}

export class DigestBuilder {
  private readonly hash: Hash = createHash('sha256');
  private readonly textHash: Hash = createHash('sha256');
  private readonly texts: TextRecord[] = [];
  private bytes = 0;
  private chunks = 0;
  private emptyChunks = 0;
  private maxChunk = 0;
  private startMs = -1;
  private firstByteMs = -1;
  private endMs = -1;
  private result: { end: End; error?: ErrorInfo } | undefined;
  mismatch: Mismatch | undefined;

  constructor(
    readonly role: Role,
    readonly lang: string,
    private readonly entry: number,
  ) {}

  get byteCount(): number {
    return this.bytes;
  }

  get ended(): boolean {
    return this.result !== undefined;
  }

  /** Marks the first SDK channel call; later calls keep the first mark. */
  started(): void {
    if (this.startMs < 0) this.startMs = this.elapsed();
  }

  addChunk(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.chunks += 1;
    if (chunk.length === 0) this.emptyChunks += 1;
    if (chunk.length > this.maxChunk) this.maxChunk = chunk.length;
    if (chunk.length > 0 && this.firstByteMs < 0) this.firstByteMs = this.elapsed();
  }

  addText(text: string): void {
    const utf8 = Buffer.from(text, 'utf8');
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(utf8.length);
    this.textHash.update(prefix).update(utf8);
    this.texts.push({
      length: utf8.length,
      sha256: sha256Hex(utf8),
      at_byte: this.bytes,
      preview: preview(text),
    });
  }

  /** The first end wins: a later close never hides an earlier error. */
  finish(end: End, error?: ErrorInfo): void {
    if (this.result) return;
    this.result = error ? { end, error } : { end };
    this.endMs = this.elapsed();
  }

  get end(): End | undefined {
    return this.result?.end;
  }

  build(): Digest {
    if (!this.result) this.finish('open');
    const { end, error } = this.result as { end: End; error?: ErrorInfo };
    const digest: Digest = {
      role: this.role,
      lang: this.lang,
      bytes: this.bytes,
      sha256: this.hash.copy().digest('hex'),
      texts: [...this.texts],
      texts_sha256: this.textHash.copy().digest('hex'),
      chunks: this.chunks,
      empty_chunks: this.emptyChunks,
      max_chunk: this.maxChunk,
      end,
      timing: {
        start_ms: Math.max(0, this.startMs),
        first_byte_ms: Math.max(0, this.firstByteMs),
        end_ms: Math.max(0, this.endMs),
      },
      rss_peak_kib: process.resourceUsage().maxRSS,
    };
    if (error) digest.error = error;
    if (this.mismatch) digest.mismatch = this.mismatch;
    return digest;
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.entry);
  }
}
