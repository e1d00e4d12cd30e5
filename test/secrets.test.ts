import { describe, expect, it } from 'vitest';
import { Secrets } from '../harness/secrets.ts';

describe('key redaction', () => {
  it('removes known keys anywhere and key-shaped values in URLs and JSON', () => {
    const s = new Secrets();
    s.add('3f0c1d7e-aaaa-4bbb-8ccc-123456789abc');
    expect(s.redact('oops 3f0c1d7e-aaaa-4bbb-8ccc-123456789abc here')).toBe('oops <redacted> here');
    expect(s.redact('GET /ws/channels/x?key=zzz&dir=read')).toBe(
      'GET /ws/channels/x?key=<redacted>&dir=read',
    );
    expect(s.redact('{"access_key": "unknown-key"}')).toBe('{"access_key": "<redacted>"}');
  });
});

describe('key redaction inside JSON text', () => {
  it('keeps JSON valid when a redacted URL ends in an escaped quote', () => {
    const s = new Secrets();
    const json = JSON.stringify({ line: 'GET "/ws/channels/x?key=abc"' });
    expect(() => JSON.parse(s.redact(json))).not.toThrow();
    expect(s.redact(json)).toContain('key=<redacted>');
  });
});
