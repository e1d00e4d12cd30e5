// A deliberately broken variant, to prove that certification catches a bad
// SDK. CONTRACT_WORKER_BREAK set to
//   flip-byte  flips one byte of every non-empty chunk written or read,
//   drop-text  never sends texts and ignores the texts it receives,
// while the digests still describe the intended stream, exactly as if the
// SDK itself corrupted or lost data on the wire.
export type BreakMode = 'none' | 'flip-byte' | 'drop-text';

function mode(): BreakMode {
  const value = process.env.CONTRACT_WORKER_BREAK ?? '';
  if (value === '' || value === 'none') return 'none';
  if (value === 'flip-byte' || value === 'drop-text') return value;
  process.stderr.write(
    `CONTRACT_WORKER_BREAK="${value}" is not a mode; choose flip-byte or drop-text\n`,
  );
  process.exit(2);
}

export const BREAK: BreakMode = mode();

/** What actually goes to (or comes from) the SDK: a copy with its middle byte flipped. */
export function corrupt(data: Buffer): Buffer {
  if (BREAK !== 'flip-byte' || data.length === 0) return data;
  const copy = Buffer.from(data);
  copy[copy.length >> 1] ^= 0xff;
  return copy;
}

export const dropsTexts = (): boolean => BREAK === 'drop-text';
