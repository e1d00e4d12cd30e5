// Where channel refs sit in a payload. The npm SDK turns every ref object it
// finds, at any depth and at the top level, into a live ChannelReader or
// ChannelWriter before the handler runs, so finding a ref means finding one
// of those objects.
import { ChannelReader, ChannelWriter } from 'iii-sdk/channel';
import { InvalidRequest } from './schema.ts';

export const WRITE_REF_KEYS = ['writer'];
export const READ_REF_KEYS = ['reader', 'readers', 'input'];
export const RELAY_REF_KEYS = ['reader', 'writer'];

type Payload = Record<string, unknown>;

/** The schema part of a payload: ref keys and engine-added `_` keys removed. */
export function requestPart(payload: unknown, refKeys: string[], name: string): Payload {
  if (payload === null || payload === undefined) return {};
  if (payload instanceof ChannelReader || payload instanceof ChannelWriter) return {};
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    throw new InvalidRequest(name, 'expected an object');
  }
  return Object.fromEntries(
    Object.entries(payload).filter(([k]) => !refKeys.includes(k) && !k.startsWith('_')),
  );
}

function expectReader(value: unknown, path: string): ChannelReader {
  if (value instanceof ChannelReader) return value;
  throw new InvalidRequest(path, 'expected a read ref');
}

/** The reader ref: `reader`, then `readers[0]`, then `input.channel.reader`, then the payload. */
export function findReader(payload: unknown): ChannelReader {
  if (payload instanceof ChannelReader) return payload;
  const p = (payload ?? {}) as Payload;
  if ('reader' in p) return expectReader(p.reader, 'reader');
  if (Array.isArray(p.readers) && p.readers.length > 0) {
    return expectReader(p.readers[0], 'readers[0]');
  }
  const channel = (p.input as Payload | undefined)?.channel as Payload | undefined;
  if (channel && 'reader' in channel) return expectReader(channel.reader, 'input.channel.reader');
  throw new InvalidRequest('reader', 'no read ref in reader, readers[0] or input.channel.reader');
}

export function findWriter(payload: unknown): ChannelWriter {
  const value = (payload as Payload | undefined)?.writer;
  if (value instanceof ChannelWriter) return value;
  throw new InvalidRequest('writer', 'expected a write ref');
}

/** The payload a producer sends its reader: `fields` plus the reader ref, placed. */
export function placeReaderRef(placement: string, ref: unknown, fields: Payload): unknown {
  switch (placement) {
    case '':
    case 'field':
      return { ...fields, reader: ref };
    case 'array':
      return { ...fields, readers: [ref] };
    case 'nested':
      return { ...fields, input: { channel: { reader: ref } } };
    case 'top':
      return ref;
    default:
      throw new InvalidRequest(
        'WriteRequest.produce.ref_placement',
        `expected field, array, nested or top, got ${JSON.stringify(placement)}`,
      );
  }
}
