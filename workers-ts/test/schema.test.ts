import { ChannelReader, ChannelWriter } from 'iii-sdk/channel';
import { describe, expect, it } from 'vitest';
import { parseRead, parseRelay, parseWrite } from '../src/requests.ts';

// Live SDK objects, as the SDK hands them to handlers; nothing connects
// until they are used, and these never are.
const ref = { channel_id: 'c', access_key: 'k' };
const writer = new ChannelWriter('ws://127.0.0.1:9', { ...ref, direction: 'write' });
const reader = new ChannelReader('ws://127.0.0.1:9', { ...ref, direction: 'read' });
const writer2 = new ChannelWriter('ws://127.0.0.1:9', { ...ref, direction: 'write' });
const writer3 = new ChannelWriter('ws://127.0.0.1:9', { ...ref, direction: 'write' });

const plan = {
  style: 'FIRE_AND_FORGET',
  ops: [
    { bytes: { seed: 's', length: 65537, chunk: 1000 } },
    { text: { value: '🚀', repeat: 3 } },
    { pause: { ms: 5 } },
    { close: {} },
  ],
};

describe('valid requests', () => {
  it('parses a write with defaults filled in and engine keys ignored', () => {
    const req = parseWrite({ cell: 'c1', plan, writer, deadline_ms: 5000, _caller_worker_id: 'w' });
    expect(req.writer).toBe(writer);
    expect(req.plan.style).toBe('FIRE_AND_FORGET');
    expect(req.plan.ops[0]).toMatchObject({ kind: 'bytes', bytes: { offset: 0, chunk: 1000 } });
    expect(req.plan.ops.map((op) => op.kind)).toEqual(['bytes', 'text', 'pause', 'close']);
  });

  it('treats an unspecified style as AWAITED', () => {
    expect(parseWrite({ plan: { ops: [] }, writer }).plan.style).toBe('AWAITED');
  });

  it('parses a produce request without a ref', () => {
    const produce = { reader_function: 'conformance::py::read', ref_placement: 'nested' };
    const req = parseWrite({ cell: 'c', plan, produce });
    expect(req.produce).toMatchObject({ buffer_size: 0, ref_placement: 'nested' });
  });

  it.each([
    ['field', { reader }],
    ['array', { readers: [reader] }],
    ['nested', { input: { channel: { reader } } }],
  ])('finds the reader ref placed as %s', (_name, placed) => {
    const req = parseRead({ cell: 'c', read: { style: 'STREAM', texts: true }, ...placed });
    expect(req.reader).toBe(reader);
    expect(req.read.style).toBe('STREAM');
  });

  it('accepts a bare ref as the whole payload and reads everything', () => {
    const req = parseRead(reader);
    expect(req.reader).toBe(reader);
    expect(req.read).toMatchObject({ style: 'READ_ALL', texts: true });
  });

  it('defaults a missing read spec to READ_ALL with texts', () => {
    expect(parseRead({ reader }).read).toMatchObject({ style: 'READ_ALL', texts: true });
  });

  it('parses a TEXTS_ONLY read with its text count, whatever `texts` says', () => {
    const read = { style: 'TEXTS_ONLY', texts: false, expect_texts: 3 };
    const req = parseRead({ cell: 'c', read, reader });
    expect(req.read).toMatchObject({ style: 'TEXTS_ONLY', texts: false, expect_texts: 3 });
  });

  it('defaults expect_texts to 0', () => {
    expect(parseRead({ reader, read: { style: 'TEXTS_ONLY' } }).read.expect_texts).toBe(0);
    expect(parseRead({ reader }).read.expect_texts).toBe(0);
  });

  it('finds fan-out writers writer_2 ... writer_N in order, whatever the key order', () => {
    const req = parseWrite({ plan, fanout: 3, writer_3: writer3, writer, writer_2: writer2 });
    expect(req.writer).toBe(writer);
    expect(req.fanout).toEqual([writer2, writer3]);
    expect(req.fanout[0]).toBe(writer2);
  });

  it.each([0, 1])('treats fanout %i as writer alone', (fanout) => {
    expect(parseWrite({ plan, fanout, writer }).fanout).toEqual([]);
  });

  it('counts a null writer_K as absent, like any null field', () => {
    expect(parseWrite({ plan, writer, writer_2: null }).fanout).toEqual([]);
  });

  it('parses a relay with both refs', () => {
    const req = parseRelay({ cell: 'r', style: 'AWAITED', reader, writer });
    expect(req.read.style).toBe('STREAM');
    expect(req.style).toBe('AWAITED');
  });
});

describe('invalid requests', () => {
  const cases: [string, () => unknown, string][] = [
    ['unknown top-level field', () => parseWrite({ plan, writer, colour: 'red' }), 'colour'],
    [
      'negative length',
      () => parseWrite({ writer, plan: { ops: [{ bytes: { length: -1 } }] } }),
      'plan.ops[0].bytes.length',
    ],
    [
      'string number',
      () => parseWrite({ writer, plan: { ops: [{ pause: { ms: '5' } }] } }),
      'plan.ops[0].pause.ms',
    ],
    ['fraction', () => parseRead({ reader, deadline_ms: 1.5 }), 'deadline_ms'],
    ['unknown enum', () => parseRead({ reader, read: { style: 'SIDEWAYS' } }), 'read.style'],
    ['enum as number', () => parseRelay({ reader, writer, style: 2 }), 'style'],
    ['wrong bool', () => parseRead({ reader, read: { texts: 'yes' } }), 'read.texts'],
    ['unknown nested field', () => parseRead({ reader, read: { speed: 1 } }), 'read.speed'],
    [
      'two kinds in one op',
      () => parseWrite({ writer, plan: { ops: [{ close: {}, abort: {} }] } }),
      'plan.ops[0].kind',
    ],
    ['empty op', () => parseWrite({ writer, plan: { ops: [{}] } }), 'plan.ops[0]'],
    ['ops not a list', () => parseWrite({ writer, plan: { ops: {} } }), 'plan.ops'],
    ['cell not a string', () => parseWrite({ writer, plan, cell: 7 }), 'cell'],
    ['no writer', () => parseWrite({ plan }), 'writer'],
    ['writer is not a ref', () => parseWrite({ plan, writer: 'w' }), 'writer'],
    ['no reader', () => parseRead({ cell: 'c' }), 'reader'],
    ['relay without writer', () => parseRelay({ reader }), 'writer'],
    [
      'bad placement',
      () => parseWrite({ plan, produce: { reader_function: 'f', ref_placement: 'x' } }),
      'produce.ref_placement',
    ],
    ['payload not an object', () => parseWrite([1]), '(payload)'],
    [
      'negative slice offset',
      () => parseRead({ reader, read: { expect: [{ offset: -3 }] } }),
      'read.expect[0].offset',
    ],
    [
      'negative expect_texts',
      () => parseRead({ reader, read: { style: 'TEXTS_ONLY', expect_texts: -1 } }),
      'read.expect_texts',
    ],
    [
      'expect_texts as a string',
      () => parseRead({ reader, read: { style: 'TEXTS_ONLY', expect_texts: '3' } }),
      'read.expect_texts',
    ],
    [
      'a TEXTS_ONLY relay',
      () => parseRelay({ reader, writer, read: { style: 'TEXTS_ONLY', expect_texts: 1 } }),
      'read.style',
    ],
    ['negative fanout', () => parseWrite({ plan, writer, fanout: -2 }), 'fanout'],
    ['fanout as a string', () => parseWrite({ plan, writer, fanout: '2' }), 'fanout'],
    [
      'fanout missing its last ref',
      () => parseWrite({ plan, writer, writer_2: writer2, fanout: 3 }),
      'writer_3',
    ],
    ['fanout with no extra refs', () => parseWrite({ plan, writer, fanout: 2 }), 'writer_2'],
    [
      'fanout ref that is not a ref',
      () => parseWrite({ plan, writer, writer_2: 'w', fanout: 2 }),
      'writer_2',
    ],
    [
      'fanout ref that is a read ref',
      () => parseWrite({ plan, writer, writer_2: reader, fanout: 2 }),
      'writer_2',
    ],
    ['writer_2 without fanout', () => parseWrite({ plan, writer, writer_2: writer2 }), 'writer_2'],
    [
      'writer_2 with fanout 1',
      () => parseWrite({ plan, writer, writer_2: writer2, fanout: 1 }),
      'writer_2',
    ],
    [
      'a ref beyond the fanout',
      () => parseWrite({ plan, writer, writer_2: writer2, writer_3: writer3, fanout: 2 }),
      'writer_3',
    ],
    [
      'writer_1 beside writer',
      () => parseWrite({ plan, writer, writer_1: writer2, writer_2: writer3, fanout: 2 }),
      'writer_1',
    ],
    [
      'a zero-padded ref',
      () => parseWrite({ plan, writer, writer_02: writer2, fanout: 2 }),
      'writer_02',
    ],
    [
      'fanout with produce',
      () => parseWrite({ plan, produce: { reader_function: 'f' }, fanout: 2 }),
      'fanout',
    ],
    [
      'a fan-out ref with produce',
      () => parseWrite({ plan, produce: { reader_function: 'f' }, writer_2: writer2 }),
      'writer_2',
    ],
  ];

  it.each(cases)('rejects %s, naming the field', (_name, call, field) => {
    expect(call).toThrowError(
      new RegExp(`^INVALID_REQUEST: ${field.replace(/[[\]().]/g, '\\$&')}:`),
    );
  });
});
