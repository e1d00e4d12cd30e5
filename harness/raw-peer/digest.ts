// The Digest (fixtures/conformance.proto) of one raw end, built as frames
// pass so nothing is held twice: binary bytes are hashed on the fly, texts
// are hashed when their message completes.
import { createHash, type Hash } from 'node:crypto';
import type { Digest, ErrorInfo, Mismatch, TextRecord } from '../schema/types.ts';

export type End = 'closed' | 'error' | 'stopped' | 'timeout';

export class RawDigest {
  private readonly hash: Hash = createHash('sha256');
  private readonly textHash: Hash = createHash('sha256');
  private readonly texts: TextRecord[] = [];
  private readonly entry = performance.now();
  private bytes = 0;
  private chunks = 0;
  private emptyChunks = 0;
  private maxChunk = 0;
  private startMs = -1;
  private firstByteMs = -1;
  private endMs = -1;
  private result: { end: End; error?: ErrorInfo } | undefined;
  /** The first error seen; it decides `end` unless the end was a timeout. */
  error: ErrorInfo | undefined;
  mismatch: Mismatch | undefined;

  constructor(readonly role: 'writer' | 'reader') {}

  get byteCount(): number {
    return this.bytes;
  }

  get ended(): boolean {
    return this.result !== undefined;
  }

  started(): void {
    if (this.startMs < 0) this.startMs = this.elapsed();
  }

  /** Binary payload bytes, in order; a chunk may arrive in several pieces. */
  addBytes(piece: Uint8Array): void {
    this.hash.update(piece);
    this.bytes += piece.length;
    if (piece.length > 0 && this.firstByteMs < 0) this.firstByteMs = this.elapsed();
  }

  /** One binary chunk (writer: frame, reader: message) of `size` bytes is complete. */
  addChunk(size: number): void {
    this.chunks++;
    if (size === 0) this.emptyChunks++;
    if (size > this.maxChunk) this.maxChunk = size;
  }

  /** A well-formed text message; `atByte` is the binary byte count before it. */
  addText(utf8: Buffer, atByte = this.bytes): void {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(utf8.length);
    this.textHash.update(prefix).update(utf8);
    const value = utf8.toString('utf8');
    this.texts.push({
      length: utf8.length,
      sha256: createHash('sha256').update(utf8).digest('hex'),
      at_byte: atByte,
      // Code points, like the Python and Rust workers count them.
      preview: Array.from(value).slice(0, 16).join(''),
    });
  }

  /** Records the first error; later ones are usually its consequences. */
  fail(code: string, message: string, stage: string): void {
    this.error ??= { code, message, stage };
  }

  /** The first end wins; a recorded error turns a Close into end "error". */
  finish(end: End): void {
    if (this.result) return;
    const final = end === 'closed' && this.error ? 'error' : end;
    this.result = this.error ? { end: final, error: this.error } : { end: final };
    this.endMs = this.elapsed();
  }

  build(): Digest {
    this.finish('error');
    const { end, error } = this.result as { end: End; error?: ErrorInfo };
    const digest: Digest = {
      role: this.role,
      lang: 'raw',
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
