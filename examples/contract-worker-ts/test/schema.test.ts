// Request validation: what the contract says is rejected is rejected, with
// the INVALID_REQUEST prefix and the field path, and engine keys are ignored.
import { describe, expect, it } from 'vitest';
import { READ_REF_KEYS, requestPart } from '../src/refs.ts';
import { validate } from '../src/schema.ts';

const write = (value: unknown) => () => validate('WriteRequest', value);

describe('contract worker: request validation', () => {
  it('accepts a plan in proto3 JSON form, null meaning absent', () => {
    const plan = { style: 'AWAITED', ops: [{ bytes: { seed: 's', length: 3 } }, { close: {} }] };
    expect(write({ cell: 'c', plan, produce: null, deadline_ms: 1000 })).not.toThrow();
  });

  it('gives the message the contract shows for a negative length', () => {
    expect(write({ cell: 'x', plan: { ops: [{ bytes: { length: -1 } }] } })).toThrow(
      'INVALID_REQUEST: WriteRequest.plan.ops[0].bytes.length: ' +
        'expected an integer in [0, 4294967295], got -1',
    );
  });

  it.each([
    [{ plan: { ops: [{ bytes: {}, text: {} }] } }, 'exactly one is allowed'],
    [{ plan: { style: 1 } }, 'WriteRequest.plan.style: expected one of'],
    [{ plan: { ops: [{ text: { value: 7 } }] } }, 'expected a string'],
    [{ planx: {} }, 'WriteRequest.planx: unknown field'],
    [{ deadline_ms: '5' }, 'expected an integer'],
  ])('rejects %j', (value, message) => {
    expect(write(value)).toThrow(message);
  });

  it('ignores engine keys and ref keys, but not other unknown keys', () => {
    const payload = { cell: 'c', _caller_worker_id: 'w', input: { channel: {} }, extra: 1 };
    expect(requestPart(payload, READ_REF_KEYS, 'ReadRequest')).toEqual({ cell: 'c', extra: 1 });
    expect(() => validate('ReadRequest', { cell: 'c', extra: 1 })).toThrow(
      'INVALID_REQUEST: ReadRequest.extra: unknown field',
    );
  });
});
