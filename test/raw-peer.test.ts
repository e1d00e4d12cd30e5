// The raw peer against the reference broker, in both profiles: raw writer to
// raw reader for the frame cases no SDK produces, and what each profile
// does with them (README "Profiles"; protocol notes §3.3-3.5, §4 items 4-7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileName } from '../engines/reference/policy.ts';
import { type RawOp, rawRead, rawWrite } from '../harness/raw-peer/index.ts';
import type { ChannelRef } from '../harness/raw-peer/session.ts';
import {
  openWorker,
  rawCreateChannel,
  startTestBroker,
  type TestBroker,
} from './helpers/reference-broker.ts';

const brokers = {} as Record<ProfileName, TestBroker>;
const workers = {} as Record<ProfileName, Awaited<ReturnType<typeof openWorker>>>;

beforeAll(async () => {
  for (const profile of ['compat', 'strict'] as const) {
    brokers[profile] = await startTestBroker({ profile });
    workers[profile] = await openWorker(brokers[profile].wsUrl);
  }
});

afterAll(async () => {
  for (const w of Object.values(workers)) w.ws.close();
  await Promise.all(Object.values(brokers).map((b) => b.close()));
});

const MiB = 1024 * 1024;

describe.each(['compat', 'strict'] as const)(
  'raw peer through the reference broker (%s)',
  (profile) => {
    const normalEnd = profile === 'strict' ? 1000 : 1005;
    // compat hides a writer that vanished or broke the protocol behind a clean end (§3.4).
    const abnormalEnd = profile === 'strict' ? 1011 : 1005;

    async function refs(): Promise<{ writer: ChannelRef; reader: ChannelRef }> {
      const msg = await rawCreateChannel(workers[profile], { buffer_size: 8 });
      return msg.result as { writer: ChannelRef; reader: ChannelRef };
    }

    async function pair(
      ops: RawOp[],
      read: { expect?: { seed: string; offset: number; length: number }[] } = {},
    ) {
      const { writer, reader } = await refs();
      const engineUrl = brokers[profile].wsUrl;
      const cell = `raw/${profile}`;
      const [w, r] = await Promise.all([
        rawWrite({ engineUrl, ref: writer, ops, deadlineMs: 20_000, cell }),
        rawRead({ engineUrl, ref: reader, deadlineMs: 20_000, cell, ...read }),
      ]);
      return { w, r };
    }

    const seeded = (length: number, chunk = 65536, seed = 'raw'): RawOp => ({
      bytes: { seed, offset: 0, length, chunk },
    });

    it.each([0, 1, 65537, MiB + 1])('carries %i bytes byte-exactly', async (size) => {
      const { w, r } = await pair([seeded(size), { close: {} }], {
        expect: [{ seed: 'raw', offset: 0, length: size }],
      });
      expect(w.digest).toMatchObject({ end: 'closed', bytes: size, role: 'writer', lang: 'raw' });
      expect(r.digest).toMatchObject({ end: 'closed', bytes: size, sha256: w.digest.sha256 });
      expect(r.digest.mismatch).toBeUndefined();
      expect(r.digest.chunks).toBe(w.digest.chunks);
      expect(r.close?.code).toBe(normalEnd);
      // Size 0 is one empty binary frame, and it arrives as one.
      if (size === 0) expect(r.digest).toMatchObject({ chunks: 1, empty_chunks: 1 });
    });

    it('passes a single frame larger than 64 KiB through as one frame', async () => {
      const { w, r } = await pair([seeded(300_000, 0), { close: {} }]);
      const one = { type: 'binary', size: 300_000, fin: true };
      expect(w.frames.entries[0]).toEqual({ dir: 'out', ...one });
      expect(r.frames.entries[0]).toEqual({ dir: 'in', ...one });
      expect(r.digest).toMatchObject({ chunks: 1, max_chunk: 300_000, sha256: w.digest.sha256 });
    });

    it('preserves empty binary frames between data', async () => {
      const empty: RawOp = { frame: { opcode: 'binary' } };
      const { w, r } = await pair([empty, seeded(10), empty, empty, { close: {} }]);
      expect(w.digest).toMatchObject({ chunks: 4, empty_chunks: 3 });
      expect(r.digest).toMatchObject({ chunks: 4, empty_chunks: 3, bytes: 10 });
      const sizes = r.frames.entries.filter((e) => e.type === 'binary').map((e) => e.size);
      expect(sizes).toEqual([0, 10, 0, 0]);
    });

    it('reassembles a fragmented binary message with pings between fragments', async () => {
      const payload = { seed: 'frag', length: 80_000 };
      const frag: RawOp = {
        fragmented: { kind: 'binary', pieces: [1000, 70_000], controlBetween: 'ping', payload },
      };
      const { w, r } = await pair([frag, { close: {} }], {
        expect: [{ seed: 'frag', offset: 0, length: 80_000 }],
      });
      const outs = w.frames.entries.filter((e) => e.dir === 'out');
      const out = outs.map((e) => `${e.type}:${e.size}`);
      expect(out).toEqual([
        'binary:1000',
        'ping:8',
        'continuation:70000',
        'ping:8',
        'continuation:9000',
        'close:2',
      ]);
      // The engine answers each ping (§1.5) and delivers one whole message (§3.4).
      expect(w.frames.entries.filter((e) => e.dir === 'in' && e.type === 'pong')).toHaveLength(2);
      expect(r.frames.entries[0]).toMatchObject({ type: 'binary', size: 80_000, fin: true });
      expect(r.digest).toMatchObject({ chunks: 1, bytes: 80_000, sha256: w.digest.sha256 });
      expect(r.digest.mismatch).toBeUndefined();
    });

    it('reassembles a text split inside a 4-byte code point, pongs between', async () => {
      const text = '😀 split 𝄞';
      const frag: RawOp = {
        fragmented: { kind: 'text', pieces: [2, 5], controlBetween: 'pong', payload: { text } },
      };
      const { w, r } = await pair([seeded(5), frag, seeded(3), { close: {} }]);
      expect(w.digest.texts).toEqual(r.digest.texts);
      expect(r.digest.texts).toMatchObject([
        { length: Buffer.byteLength(text), at_byte: 5, preview: text },
      ]);
      expect(r.digest.texts_sha256).toBe(w.digest.texts_sha256);
      expect(r.digest.end).toBe('closed');
    });

    it('ends the stream not-cleanly on invalid UTF-8 text, truncating the rest', async () => {
      const { w, r } = await pair([
        seeded(1000),
        { invalidUtf8Text: {} },
        seeded(1000),
        { close: {} },
      ]);
      // ws (like tungstenite) fails the writer's socket; the broker answers 1007.
      expect(w.digest.error).toMatchObject({ code: 'PEER_CLOSED' });
      expect(w.peerClose?.code).toBe(1007);
      expect(w.digest.texts).toEqual([]);
      // The reader gets what came before it, then the profile's end (§4 item 5).
      expect(r.digest).toMatchObject({ end: 'closed', bytes: 1000, chunks: 1, texts: [] });
      expect(r.close?.code).toBe(abnormalEnd);
    });

    it.each(['no-close', 'reset'] as const)(
      'ends per profile when the writer leaves by %s',
      async (how) => {
        const { w, r } = await pair([seeded(5000), { end: { how } }]);
        const aborted = { code: 'ABORTED', stage: 'plan' };
        expect(w.digest).toMatchObject({ end: 'error', error: aborted });
        expect(w.frames.entries.some((e) => e.type === 'close')).toBe(false);
        expect(r.digest).toMatchObject({ end: 'closed', bytes: 5000, sha256: w.digest.sha256 });
        expect(r.close?.code).toBe(abnormalEnd);
      },
    );

    it.each([
      ['an RSV1 bit', { frame: { opcode: 'binary', rsv1: true, payload: { hex: '00' } } }],
      ['an unmasked frame', { frame: { opcode: 'binary', mask: false, payload: { hex: '00' } } }],
      ['a stray continuation', { frame: { opcode: 'continuation', payload: { hex: '00' } } }],
    ] as [string, RawOp][])('fails the writer with 1002 on %s', async (_what, bad) => {
      const { w, r } = await pair([seeded(5000), bad, { close: {} }]);
      expect(w.peerClose?.code).toBe(1002);
      expect(w.digest.end).toBe('error');
      expect(r.digest).toMatchObject({ bytes: 5000, chunks: 1 });
      expect(r.close?.code).toBe(abnormalEnd);
    });

    it('reports HTTP_404 for a wrong key on both ends', async () => {
      const { writer, reader } = await refs();
      const engineUrl = brokers[profile].wsUrl;
      const bad = (ref: ChannelRef) => ({ ...ref, access_key: 'not-the-key' });
      const w = await rawWrite({
        engineUrl,
        ref: bad(writer),
        ops: [],
        deadlineMs: 5000,
        cell: 'k',
      });
      const r = await rawRead({ engineUrl, ref: bad(reader), deadlineMs: 5000, cell: 'k' });
      for (const report of [w, r]) {
        expect(report.digest).toMatchObject({
          end: 'error',
          error: { code: 'HTTP_404', stage: 'connect' },
        });
        expect(report.http).toEqual({ status: 404, body: 'Channel not found' });
      }
    });

    it('pinpoints a corrupted byte, a wrong seed and a short stream', async () => {
      const corrupt: RawOp[] = [
        seeded(70_000),
        { frame: { opcode: 'binary', payload: { hex: 'ff' } } },
        { bytes: { seed: 'raw', offset: 70_001, length: 999, chunk: 0 } },
        { close: {} },
      ];
      const expectRaw = [{ seed: 'raw', offset: 0, length: 71_000 }];
      const { r } = await pair(corrupt, { expect: expectRaw });
      const want = Buffer.from(r.digest.mismatch?.expected_hex ?? '', 'hex');
      expect(r.digest.mismatch).toMatchObject({ offset: 70_000, chunk: 2, chunk_offset: 0 });
      expect(r.digest.mismatch?.actual_hex).toBe(`ff${want.subarray(1, 8).toString('hex')}`);
      expect(want).toHaveLength(8);

      const wrongSeed = await pair([seeded(100), { close: {} }], {
        expect: [{ seed: 'other', offset: 0, length: 100 }],
      });
      expect(wrongSeed.r.digest.mismatch).toMatchObject({ offset: 0, chunk: 0, chunk_offset: 0 });

      const short = await pair([seeded(100), { close: {} }], { expect: expectRaw });
      expect(short.r.digest.mismatch).toMatchObject({ offset: 100, chunk: 1, actual_hex: '' });
    });

    it('refuses a second reader (strict 409) or gives it an empty stream (compat)', async () => {
      const { reader } = await refs();
      const engineUrl = brokers[profile].wsUrl;
      const first = rawRead({ engineUrl, ref: reader, deadlineMs: 1500, cell: 'dup' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = await rawRead({ engineUrl, ref: reader, deadlineMs: 1500, cell: 'dup' });
      if (profile === 'strict') {
        expect(second.digest.error).toMatchObject({ code: 'HTTP_409', stage: 'connect' });
      } else {
        // 101, then a Close with no code: indistinguishable from an empty stream (§3.3).
        expect(second.digest).toMatchObject({ end: 'closed', bytes: 0, chunks: 0 });
        expect(second.close?.code).toBe(1005);
      }
      expect((await first).digest.end).toBe('timeout');
    });

    it('cuts a message over 64 MiB off with 1009; the reader sees the profile end', async () => {
      const { w, r } = await pair([seeded(64 * MiB + 1, 0), { close: {} }]);
      expect(w.peerClose?.code).toBe(1009);
      expect(w.digest.error?.code).toBe('PEER_CLOSED');
      expect(r.digest).toMatchObject({ end: 'closed', bytes: 0, chunks: 0 });
      expect(r.close?.code).toBe(abnormalEnd);
    });

    it('moves 64 MiB in a few seconds', async () => {
      const started = Date.now();
      const { w, r } = await pair([seeded(64 * MiB, MiB), { close: {} }]);
      const seconds = (Date.now() - started) / 1000;
      expect(r.digest).toMatchObject({ bytes: 64 * MiB, sha256: w.digest.sha256, end: 'closed' });
      expect(seconds).toBeLessThan(15);
    });
  },
);
