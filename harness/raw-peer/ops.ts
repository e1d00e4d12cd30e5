// What a raw writer can be told to do. The first four ops have the shape of
// the plan's ops (schema/types.ts Op), so an ordinary plan is a raw plan;
// the rest send what no SDK sends. Keyed like the proto oneof, so
// `'frame' in op` narrows the union.
import { OPCODE, type OpcodeName } from './frame-codec.ts';
import { seededStream } from './seeded.ts';

/** Frame payload: a seeded slice (counted as stream bytes), raw hex, or UTF-8 text. */
export type PayloadSpec =
  | { seed: string; offset?: number; length: number }
  | { hex: string }
  | { text: string };

export type RawOp =
  /** Seeded bytes as binary frames of `chunk` bytes; 0 = one frame, even past 64 KiB. */
  | { bytes: { seed: string; offset?: number; length: number; chunk?: number } }
  /** One text frame: `value` repeated `repeat` times (0 counts as 1). */
  | { text: { value: string; repeat?: number } }
  | { pause: { ms: number } }
  /** Close frame (default code 1000), then wait for the engine's reply. */
  | { close: { code?: number; reason?: string } }
  /** Any single frame. `mask: false` sends it unmasked, which servers must reject. */
  | {
      frame: {
        opcode: OpcodeName | number;
        payload?: PayloadSpec;
        fin?: boolean;
        rsv1?: boolean;
        rsv2?: boolean;
        rsv3?: boolean;
        mask?: boolean;
      };
    }
  /**
   * One message split into frames of `pieces` bytes (the rest, if any, in a
   * last frame), with a ping or pong between fragments when asked.
   */
  | {
      fragmented: {
        kind: 'text' | 'binary';
        pieces: number[];
        controlBetween?: 'ping' | 'pong' | null;
        payload: PayloadSpec;
      };
    }
  /** A text frame whose payload is not UTF-8 (default: "ok" + C3 28). */
  | { invalidUtf8Text: { hex?: string } }
  /** Close and wait for the reply / FIN without a Close / RST. */
  | { end: { how: 'close' | 'no-close' | 'reset' } }
  /** The plan's abort: drop the socket without a Close (same as end no-close). */
  | { abort: Record<string, never> };

export const INVALID_UTF8_HEX = '6f6bc328';

export function opcodeOf(opcode: OpcodeName | number): number {
  return typeof opcode === 'number' ? opcode : OPCODE[opcode];
}

export function payloadLength(spec: PayloadSpec | undefined): number {
  if (!spec) return 0;
  if ('seed' in spec) return spec.length;
  if ('hex' in spec) return spec.hex.length / 2;
  return Buffer.byteLength(spec.text, 'utf8');
}

/** The payload bytes; seeded ones are generated, so keep frames made this way modest. */
export function payloadBytes(spec: PayloadSpec | undefined): Buffer {
  if (!spec) return Buffer.alloc(0);
  if ('seed' in spec) return seededStream(spec.seed).slice(spec.offset ?? 0, spec.length);
  if ('hex' in spec) return Buffer.from(spec.hex, 'hex');
  return Buffer.from(spec.text, 'utf8');
}

/** Fragment sizes for `total` bytes: `pieces` in order, then whatever is left. */
export function fragmentSizes(total: number, pieces: readonly number[]): number[] {
  const sizes: number[] = [];
  let left = total;
  for (const piece of pieces) {
    if (piece < 0 || !Number.isInteger(piece)) throw new Error(`bad fragment size ${piece}`);
    if (piece > left) throw new Error(`fragments sum past the ${total}-byte payload`);
    sizes.push(piece);
    left -= piece;
  }
  if (left > 0 || sizes.length === 0) sizes.push(left);
  return sizes;
}

/** Frame sizes of a bytes op: `chunk` 0 (or >= length) is one frame; length 0 one empty frame. */
export function chunkSizes(length: number, chunk: number): number[] {
  if (length === 0 || chunk <= 0 || chunk >= length) return [length];
  const sizes: number[] = [];
  for (let done = 0; done < length; done += chunk) sizes.push(Math.min(chunk, length - done));
  return sizes;
}

/** A short description of an op for log lines: kind and sizes, never payloads. */
export function describeOp(op: RawOp): string {
  if ('bytes' in op) {
    const { length, chunk } = op.bytes;
    return `bytes ${length} B in ${chunk ? `${chunk} B frames` : 'one frame'}`;
  }
  if ('text' in op) return `text of ${op.text.value.length}x${Math.max(1, op.text.repeat ?? 0)}`;
  if ('pause' in op) return `pause ${op.pause.ms} ms`;
  if ('close' in op) return `close ${op.close.code ?? 1000}`;
  if ('frame' in op) {
    const f = op.frame;
    return `frame op=${f.opcode} ${payloadLength(f.payload)} B fin=${f.fin ?? true}`;
  }
  if ('fragmented' in op) {
    return `fragmented ${op.fragmented.kind} [${op.fragmented.pieces.join(',')}]`;
  }
  if ('invalidUtf8Text' in op) return 'invalid UTF-8 text';
  if ('end' in op) return `end ${op.end.how}`;
  return 'abort';
}
