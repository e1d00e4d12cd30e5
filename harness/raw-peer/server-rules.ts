// Frames a server must never send to a client (RFC 6455 §5.1-5.5): the raw
// reader fails the connection with 1002 on the first one (§7.1.7) and
// reports it, instead of guessing what the engine meant.
import { type FrameHeader, isControl, OPCODE } from './frame-codec.ts';

/** Why `h` is not allowed here, or undefined. `openMessage` is a fragmented message's opcode. */
export function serverFrameProblem(
  h: FrameHeader & { masked: boolean },
  openMessage: number | undefined,
): string | undefined {
  if (h.masked) return 'server frame is masked';
  // No extension is ever negotiated (the handshake refuses one), so RSV must be 0.
  if (h.rsv !== 0) return `RSV bits ${h.rsv} set without a negotiated extension`;
  if (isControl(h.opcode)) {
    if (h.opcode > OPCODE.pong) return `reserved control opcode ${h.opcode}`;
    if (!h.fin) return 'fragmented control frame';
    if (h.length > 125) return `control frame of ${h.length} bytes`;
    return undefined;
  }
  if (h.opcode > OPCODE.binary) return `reserved data opcode ${h.opcode}`;
  if (h.opcode === OPCODE.continuation && openMessage === undefined) {
    return 'continuation frame without a message to continue';
  }
  if (h.opcode !== OPCODE.continuation && openMessage !== undefined) {
    return 'new message before the fragmented one finished';
  }
  return undefined;
}
