// The raw-frame WebSocket peer: a writer and a reader that live in the
// harness process and speak RFC 6455 frames directly on a channel socket,
// to send what no SDK sends and to see exactly what an engine delivers.
//
// Why a hand-written codec on net.Socket rather than the `ws` package: ws
// cannot send a frame with RSV bits or without masking from a client, cannot
// put a ping between the fragments of one message or split a text inside a
// code point (it validates and fragments on its own terms), always sends a
// Close before ending, and on the receiving side hands over reassembled
// messages, so continuation frames and frame sizes would be invisible.
// The codec is ~200 lines and is unit-tested on its own.
export type { ConnectionEnd } from './connection.ts';
export {
  closePayload,
  encodeFrame,
  encodeHeader,
  FrameDecoder,
  type FrameHeader,
  maskInPlace,
  OPCODE,
  parseClosePayload,
} from './frame-codec.ts';
export type { FrameLogEntry, FrameLogView, FrameType } from './frame-log.ts';
export { acceptFor } from './handshake.ts';
export { INVALID_UTF8_HEX, type PayloadSpec, type RawOp } from './ops.ts';
export { type RawReadOptions, type RawReadReport, rawRead } from './reader.ts';
export { SeededStream, seededStream } from './seeded.ts';
export { type ChannelRef, channelUrl } from './session.ts';
export { type RawWriteOptions, type RawWriteReport, rawWrite } from './writer.ts';
