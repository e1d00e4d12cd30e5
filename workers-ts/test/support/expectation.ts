// An expectation computed independently of the worker's own code: the seeded
// stream block by block with createHash (the worker uses crypto.hash over a
// reused buffer) and texts hashed from their definition.
import { createHash } from 'node:crypto';

export function referenceSlice(seed: string, offset: number, length: number): Buffer {
  const first = Math.floor(offset / 32);
  const last = Math.floor((offset + length - 1) / 32);
  const blocks: Buffer[] = [];
  for (let i = first; length > 0 && i <= last; i++) {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(i));
    blocks.push(createHash('sha256').update(seed, 'utf8').update(counter).digest());
  }
  const start = offset - first * 32;
  return Buffer.concat(blocks).subarray(start, start + length);
}

export type PlanOp =
  | { bytes: { seed: string; offset?: number; length: number; chunk?: number } }
  | { text: { value: string; repeat?: number } }
  | { pause: { ms: number } }
  | { close: Record<string, never> }
  | { abort: Record<string, never> }
  | { exit: { code: number } };

export interface Expected {
  bytes: number;
  sha256: string;
  texts: { length: number; sha256: string; at_byte: number; preview: string }[];
  texts_sha256: string;
  writes: number;
}

const hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export function expectedFor(ops: PlanOp[]): Expected {
  const stream = createHash('sha256');
  const textStream = createHash('sha256');
  const texts: Expected['texts'] = [];
  let bytes = 0;
  let writes = 0;
  for (const op of ops) {
    if ('bytes' in op) {
      const { seed, offset = 0, length, chunk = 0 } = op.bytes;
      stream.update(referenceSlice(seed, offset, length));
      bytes += length;
      writes += length === 0 || chunk === 0 ? 1 : Math.ceil(length / chunk);
    } else if ('text' in op) {
      const value = op.text.value.repeat(Math.max(1, op.text.repeat ?? 0));
      const utf8 = Buffer.from(value, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(utf8.length);
      textStream.update(len).update(utf8);
      const preview = [...value].slice(0, 16).join('');
      texts.push({ length: utf8.length, sha256: hex(utf8), at_byte: bytes, preview });
    }
  }
  return {
    bytes,
    sha256: stream.digest('hex'),
    texts,
    texts_sha256: textStream.digest('hex'),
    writes,
  };
}
