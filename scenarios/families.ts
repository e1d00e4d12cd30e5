// What each family proves, for `list` and docs/scenarios.md.
import type { Family } from './types.ts';

export const FAMILY_DOCS: Record<Family, string> = {
  frames:
    "Binary payloads of every size around the SDKs' 64 KiB frame limit, written in one call, in " +
    'many small calls, a byte at a time, with empty writes between, fire-and-forget and read ' +
    'chunk by chunk; the raw writer adds frames no SDK sends (over 64 KiB, empty, fragmented ' +
    'around pings). A pass proves framing, reassembly and the engine queue leave bytes unchanged.',
  interleave:
    'Text messages mixed with binary on one channel: before, between and after binary, many ' +
    'tiny ones, one over 1 MiB, 4-byte characters, combining marks, RTL and NUL, a text split ' +
    'inside a code point across fragments, invalid UTF-8. A pass proves every text arrives once, ' +
    'intact and in order, and where the scenario says so at the same byte position as it was sent.',
  backpressure:
    'Writers faster than their readers through buffers of 1, 4, 64 and 1024 messages, readers ' +
    'that start late, sleep per chunk or pause with the buffer full. A pass proves flow control ' +
    'loses and reorders nothing.',
  pipeline:
    'Streams relayed through workers of other languages in every rotation, three and four ' +
    'stages long, and one writer fanning its stream out to a channel per reader language at ' +
    'once. Every hop and every channel reports its own digest, so a failure names the hop or ' +
    'the branch where bytes changed.',
  lifecycle:
    "The edges of a channel's life: wrong keys, a second reader, a ref reused after its stream " +
    'finished, reader first or writer first, a reader that arrives after the close, a reader ' +
    'that only listens for texts, a writer ' +
    'that never writes, dies, drops its socket or resets it, a reader that leaves early. A pass ' +
    'proves the user never sees a clean end with missing data, never waits past the deadline, ' +
    'and the side that should know gets an error.',
  ownership:
    'Channels created by the producing worker instead of the orchestrator, with the reader ref ' +
    'passed on as a field, an array element, two objects deep, or as the whole payload. A pass ' +
    'proves each SDK finds refs wherever a user may put them.',
  limits:
    'The largest text and binary message each SDK reader accepts, recorded as INFO so the ' +
    "libraries' limits can be compared; these never fail a run.",
};
