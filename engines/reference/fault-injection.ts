// Deliberate corruption for the harness's own self-tests: proof that a flipped
// byte or a lost text really turns a cell into a FAIL that names it. Only the
// environment variable III_REFERENCE_INJECT_FAULTS turns it on, and the
// broker says so loudly at start; no scenario or CLI flag can.
//
//   III_REFERENCE_INJECT_FAULTS="flip-byte:70000,drop-text:1"
//     flip-byte:N     inverts the binary byte at stream offset N of every channel
//     drop-text:K     drops the K-th text message (0-based) of every channel
//     no-backpressure:1  never pauses a writer: every channel buffers all it gets

export const FAULTS_ENV = 'III_REFERENCE_INJECT_FAULTS';

export interface InjectedFaults {
  flipByteAt?: number;
  dropText?: number;
  noBackpressure?: boolean;
}

export function parseFaults(spec: string | undefined): InjectedFaults {
  const faults: InjectedFaults = {};
  for (const part of (spec ?? '').split(',').filter(Boolean)) {
    const [name, value] = part.split(':');
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${FAULTS_ENV}: bad value in "${part}"`);
    if (name === 'flip-byte') faults.flipByteAt = n;
    else if (name === 'drop-text') faults.dropText = n;
    else if (name === 'no-backpressure') faults.noBackpressure = n > 0;
    else {
      throw new Error(
        `${FAULTS_ENV}: unknown fault "${name}"; use flip-byte:N, drop-text:K or no-backpressure:1`,
      );
    }
  }
  return faults;
}

export const hasFaults = (f: InjectedFaults) =>
  f.flipByteAt !== undefined || f.dropText !== undefined || f.noBackpressure === true;

/** Per-channel state: where in the stream the next frame starts. */
export class FaultInjector {
  private bytes = 0;
  private texts = 0;

  constructor(private readonly faults: InjectedFaults) {}

  /** The frame to forward, or null to drop it. */
  apply(data: Buffer, binary: boolean): Buffer | null {
    if (!binary) {
      const index = this.texts++;
      return index === this.faults.dropText ? null : data;
    }
    const start = this.bytes;
    this.bytes += data.length;
    const at = this.faults.flipByteAt;
    if (at === undefined || at < start || at >= this.bytes) return data;
    const copy = Buffer.from(data);
    copy[at - start] ^= 0xff;
    return copy;
  }
}
