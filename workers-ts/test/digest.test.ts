import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestBuilder, preview, textsSha256 } from '../src/digest.ts';
import { ExpectComparator } from '../src/expect.ts';
import { redact } from '../src/log.ts';
import { seededSlice } from '../src/seeded-stream.ts';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('text hashing', () => {
  it('hashes the empty list as the empty input', () => {
    expect(textsSha256([])).toBe(sha(''));
  });

  it('prefixes each text with its UTF-8 length as u32be', () => {
    // "🚀" is 4 UTF-8 bytes but 2 UTF-16 units: the prefix must say 4.
    const manual = Buffer.concat([
      Buffer.from('00000003', 'hex'),
      Buffer.from('hé', 'utf8'),
      Buffer.from('00000004', 'hex'),
      Buffer.from('🚀', 'utf8'),
      Buffer.from('00000000', 'hex'),
    ]);
    expect(textsSha256(['hé', '🚀', ''])).toBe(sha(manual));
  });

  it('previews 16 code points, never half a surrogate pair', () => {
    expect(preview('🚀'.repeat(20))).toBe('🚀'.repeat(16));
    expect(preview('short')).toBe('short');
  });

  it('records texts with the bytes handed over before them', () => {
    const d = new DigestBuilder('writer', 'ts', performance.now());
    d.addText('a');
    d.addChunk(Buffer.alloc(5));
    d.addText('𝄞b');
    d.addChunk(Buffer.alloc(0));
    d.finish('closed');
    const out = d.build();
    expect(out.texts.map((t) => [t.at_byte, t.length, t.preview])).toEqual([
      [0, 1, 'a'],
      [5, 5, '𝄞b'],
    ]);
    expect(out.texts_sha256).toBe(textsSha256(['a', '𝄞b']));
    expect(out.sha256).toBe(sha(Buffer.alloc(5)));
    expect([out.chunks, out.empty_chunks, out.max_chunk]).toEqual([2, 1, 5]);
  });

  it('keeps the first end', () => {
    const d = new DigestBuilder('reader', 'ts', performance.now());
    d.finish('error', { code: 'X', message: 'boom', stage: 'read' });
    d.finish('closed');
    expect(d.build()).toMatchObject({ end: 'error', error: { code: 'X' } });
  });
});

describe('expect comparator', () => {
  const slices = [
    { seed: 'a', offset: 0, length: 100 },
    { seed: 'b', offset: 7, length: 50 },
  ];
  const stream = Buffer.concat([seededSlice('a', 0, 100), seededSlice('b', 7, 50)]);

  it('reports nothing for an exact stream in any chunking', () => {
    const c = new ExpectComparator(slices);
    c.feed(stream.subarray(0, 99));
    c.feed(stream.subarray(99, 101));
    c.feed(stream.subarray(101));
    expect(c.finish()).toBeUndefined();
  });

  it('names the first differing byte, its chunk and offset in it', () => {
    const bad = Buffer.from(stream);
    bad[120] ^= 0xff;
    const c = new ExpectComparator(slices);
    c.feed(bad.subarray(0, 110));
    c.feed(bad.subarray(110));
    expect(c.finish()).toMatchObject({ offset: 120, chunk: 1, chunk_offset: 10 });
    expect(c.mismatch?.expected_hex).toBe(stream.subarray(120, 128).toString('hex'));
  });

  it('reports a short stream at its end and a long one at the expected end', () => {
    const short = new ExpectComparator(slices);
    short.feed(stream.subarray(0, 140));
    expect(short.finish()).toMatchObject({ offset: 140, chunk: 1, actual_hex: '' });

    const long = new ExpectComparator(slices);
    long.feed(Buffer.concat([stream, Buffer.from('zz')]));
    expect(long.finish()).toMatchObject({
      offset: 150,
      chunk: 0,
      expected_hex: '',
      actual_hex: '7a7a',
    });
  });
});

describe('redact', () => {
  it('never lets an access key through', () => {
    const line = 'ws://h/ws/channels/c?key=secret-key&dir=read {"access_key":"secret-key"}';
    expect(redact(line)).not.toContain('secret-key');
  });
});
