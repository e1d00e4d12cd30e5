// The seeded byte stream (worker-contract.md: block i of seed s is
// SHA-256(utf8(s) || u64be(i))) at a speed a 64 MiB raw cell can afford.
// node:crypto costs 4-8 µs per 32-byte block on this machine (one native
// call per block), i.e. 10-18 s for 64 MiB. This plain-JS SHA-256 keeps the
// seed's full blocks as a midstate and re-reads only the words holding the
// counter, several times faster. It is written apart from
// harness/seeded-stream.ts on purpose; test/raw-peer-codec.test.ts checks it
// against the golden vectors and against that generator.

const BLOCK = 32;
const TWO_32 = 2 ** 32;

// biome-ignore format: the SHA-256 round constants read best as a table
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// biome-ignore format: likewise the initial hash value
const IV = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

// The message schedule; words 0-15 are loaded by the caller.
const W = new Int32Array(64);

/** One SHA-256 compression of the block already in W[0..15] into `state`. */
function compress(state: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15];
    const b = W[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = state[0];
  let b = state[1];
  let c = state[2];
  let d = state[3];
  let e = state[4];
  let f = state[5];
  let g = state[6];
  let h = state[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
}

function loadWord(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
}

/** The stream of one seed; fills buffers with any window of it. */
export class SeededStream {
  private readonly midstate = new Int32Array(IV);
  /** The padded last 1-2 blocks of utf8(seed) || u64be(i); the counter is patched per block. */
  private readonly tail: Uint8Array;
  private readonly tailWords: Int32Array;
  private readonly counterAt: number;
  private readonly state = new Int32Array(8);

  constructor(readonly seed: string) {
    const seedBytes = Buffer.from(seed, 'utf8');
    const full = Math.floor(seedBytes.length / 64) * 64;
    for (let at = 0; at < full; at += 64) {
      for (let i = 0; i < 16; i++) W[i] = loadWord(seedBytes, at + i * 4);
      compress(this.midstate);
    }

    const rest = seedBytes.length - full;
    const tailLength = rest + 8 + 9 <= 64 ? 64 : 128;
    this.tail = new Uint8Array(tailLength);
    this.tail.set(seedBytes.subarray(full), 0);
    this.counterAt = rest;
    this.tail[rest + 8] = 0x80;
    const bits = (seedBytes.length + 8) * 8;
    const view = new DataView(this.tail.buffer);
    view.setUint32(tailLength - 8, Math.floor(bits / TWO_32));
    view.setUint32(tailLength - 4, bits >>> 0);
    this.tailWords = new Int32Array(tailLength / 4);
    for (let i = 0; i < this.tailWords.length; i++) this.tailWords[i] = loadWord(this.tail, i * 4);
  }

  /** Writes stream bytes [offset, offset + length) into `out` at `outAt`. */
  fill(out: Uint8Array, outAt: number, offset: number, length: number): void {
    let block = Math.floor(offset / BLOCK);
    let skip = offset - block * BLOCK;
    let at = outAt;
    const end = outAt + length;
    const state = this.state;
    while (at < end) {
      this.hashBlock(block);
      if (skip === 0 && end - at >= BLOCK) {
        for (let i = 0; i < 8; i++) {
          const w = state[i];
          out[at] = w >>> 24;
          out[at + 1] = w >>> 16;
          out[at + 2] = w >>> 8;
          out[at + 3] = w;
          at += 4;
        }
      } else {
        for (let i = skip; i < BLOCK && at < end; i++) {
          out[at++] = state[i >>> 2] >>> (24 - (i & 3) * 8);
        }
      }
      skip = 0;
      block += 1;
    }
  }

  /** A fresh buffer holding stream bytes [offset, offset + length). */
  slice(offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    this.fill(out, 0, offset, length);
    return out;
  }

  private hashBlock(index: number): void {
    const tail = this.tail;
    const words = this.tailWords;
    const hi = Math.floor(index / TWO_32);
    const lo = index >>> 0;
    const c = this.counterAt;
    tail[c] = hi >>> 24;
    tail[c + 1] = hi >>> 16;
    tail[c + 2] = hi >>> 8;
    tail[c + 3] = hi;
    tail[c + 4] = lo >>> 24;
    tail[c + 5] = lo >>> 16;
    tail[c + 6] = lo >>> 8;
    tail[c + 7] = lo;
    // Only the 2-3 words that hold the counter change from block to block.
    for (let i = c >>> 2; i <= (c + 7) >>> 2; i++) words[i] = loadWord(tail, i * 4);

    const state = this.state;
    state.set(this.midstate);
    for (let i = 0; i < 16; i++) W[i] = words[i];
    compress(state);
    if (words.length === 32) {
      for (let i = 0; i < 16; i++) W[i] = words[16 + i];
      compress(state);
    }
  }
}

const streams = new Map<string, SeededStream>();

/** The (cached) stream of `seed`. */
export function seededStream(seed: string): SeededStream {
  let stream = streams.get(seed);
  if (!stream) {
    stream = new SeededStream(seed);
    streams.set(seed, stream);
  }
  return stream;
}
