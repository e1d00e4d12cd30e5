// ReadStyle TEXTS_ONLY on a fake reader: the worker registers the text
// callback and never asks for binary, stops once the promised texts came and
// otherwise waits for its deadline. Whether the real SDK delivers anything
// this way is pinned in e2e-texts-only.test.ts.
import { describe, expect, it } from 'vitest';
import { textsSha256 } from '../src/digest.ts';
import { readChannel } from '../src/reader.ts';
import { DEFAULT_READ, type ReadSpec } from '../src/requests.ts';
import { CountingDeadline, context, fakeReader } from './support/fakes.ts';

const spec = (expect_texts: number, texts = false): ReadSpec => ({
  ...DEFAULT_READ,
  style: 'TEXTS_ONLY',
  texts,
  expect_texts,
});

describe('TEXTS_ONLY reader', () => {
  it('stops with the SDK close once the promised texts arrived, binary untouched', async () => {
    const fake = fakeReader();
    const read = readChannel(fake.reader, spec(2), context(), 'reader');
    await new Promise((r) => setTimeout(r, 10));
    fake.deliver('one');
    fake.deliver('two 🚀');
    const d = await read;
    expect(d).toMatchObject({ end: 'stopped', bytes: 0, chunks: 0 });
    expect(d.texts.map((t) => [t.preview, t.at_byte])).toEqual([
      ['one', 0],
      ['two 🚀', 0],
    ]);
    expect(d.texts_sha256).toBe(textsSha256(['one', 'two 🚀']));
    expect(fake.state).toEqual({ pulled: false, closed: true });
  });

  it('registers the callback even when `texts` is false', async () => {
    const fake = fakeReader();
    const read = readChannel(fake.reader, spec(1, false), context(), 'reader');
    await new Promise((r) => setTimeout(r, 10));
    fake.deliver('x');
    expect((await read).texts).toHaveLength(1);
  });

  it('times out with the texts so far when fewer than promised came', async () => {
    const fake = fakeReader();
    const read = readChannel(fake.reader, spec(3), context(new CountingDeadline(200)), 'reader');
    await new Promise((r) => setTimeout(r, 10));
    fake.deliver('only one');
    const d = await read;
    expect(d).toMatchObject({ end: 'timeout', bytes: 0 });
    expect(d.texts).toHaveLength(1);
    expect(fake.state).toEqual({ pulled: false, closed: true });
  });

  it('expect_texts 0 is met at once: closed and stopped with no texts', async () => {
    const fake = fakeReader();
    const d = await readChannel(fake.reader, spec(0), context(), 'reader');
    expect(d).toMatchObject({ end: 'stopped', texts: [] });
    expect(fake.state).toEqual({ pulled: false, closed: true });
  });

  it('ends with an error when the SDK reports one', async () => {
    const fake = fakeReader();
    const read = readChannel(fake.reader, spec(1), context(), 'reader');
    await new Promise((r) => setTimeout(r, 10));
    fake.stream.destroy(new Error('Unexpected server response: 401'));
    const d = await read;
    expect(d).toMatchObject({ end: 'error', error: { stage: 'connect' } });
    expect(fake.state.pulled).toBe(false);
  });
});
