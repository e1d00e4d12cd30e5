// All channels of one broker: creation, the connect decision for the
// channel endpoint, the stale-channel sweep (notes §3.6) and release when a
// creator leaves (strict only).

import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Channel, type Direction } from './channel.ts';
import type { InjectedFaults } from './fault-injection.ts';
import { type Logger, short } from './log.ts';
import type { ChannelPolicy } from './policy.ts';

export interface ChannelRef {
  channel_id: string;
  access_key: string;
  direction: Direction;
}

export type ConnectDecision =
  | { kind: 'attach'; channel: Channel }
  | { kind: 'upgrade-then-close'; channel: Channel; why: string }
  | { kind: 'refuse'; status: number; body: string };

export interface ChannelRegistryOptions {
  policy: ChannelPolicy;
  logger: Logger;
  /** Age after which a channel with an unclaimed end is removed (engine: 300 s). */
  ttlMs: number;
  /** How often the sweep runs (engine: 60 s). */
  sweepIntervalMs: number;
  frameLogLimit: number;
  faults?: InjectedFaults;
}

const NOT_FOUND = { kind: 'refuse', status: 404, body: 'Channel not found' } as const;

export class ChannelRegistry {
  private readonly channels = new Map<string, Channel>();
  private sweeper: NodeJS.Timeout | undefined;
  /** Channels ever created, including removed ones. */
  created = 0;
  removed = 0;

  constructor(private readonly options: ChannelRegistryOptions) {}

  create(bufferSize: number, creatorWorkerId: string | undefined) {
    const id = randomUUID();
    const writerKey = randomUUID();
    const readerKey = this.options.policy.keyPerDirection ? randomUUID() : writerKey;
    const channel = new Channel({
      id,
      writerKey,
      readerKey,
      bufferSize,
      creatorWorkerId,
      policy: this.options.policy,
      logger: this.options.logger,
      frameLogLimit: this.options.frameLogLimit,
      faults: this.options.faults,
    });
    this.channels.set(id, channel);
    this.created++;
    this.options.logger.info(`channel ${short(id)}: created (buffer_size ${bufferSize})`);

    const writer: ChannelRef = { channel_id: id, access_key: writerKey, direction: 'write' };
    const reader: ChannelRef = { channel_id: id, access_key: readerKey, direction: 'read' };
    return { channel, writer, reader };
  }

  get(id: string): Channel | undefined {
    return this.channels.get(id);
  }

  all(): Channel[] {
    return [...this.channels.values()];
  }

  /** What to do with `GET /ws/channels/{id}?key=..&dir=..` (notes §3.3). */
  decideConnect(id: string, key: string, dir: Direction): ConnectDecision {
    const channel = this.channels.get(id);
    if (!channel) return NOT_FOUND;
    const decision = this.decide(channel, key, dir);
    if (decision.kind !== 'attach') channel.stats.refusedConnects++;
    return decision;
  }

  private decide(channel: Channel, key: string, dir: Direction): ConnectDecision {
    const policy = this.options.policy;

    const expected = dir === 'write' ? channel.writerKey : channel.readerKey;
    if (!sameKey(key, expected)) {
      const other = dir === 'write' ? channel.readerKey : channel.writerKey;
      if (policy.keyPerDirection && sameKey(key, other)) {
        return { kind: 'refuse', status: 403, body: `Channel key is not valid for dir=${dir}` };
      }
      return NOT_FOUND;
    }

    if (channel.finishedAt !== undefined || channel.brokenReason !== undefined) {
      if (policy.finishedChannel === 'http-410') {
        return { kind: 'refuse', status: 410, body: 'Channel already finished' };
      }
    }
    if (channel.stateOf(dir) !== 'free') {
      if (policy.takenEnd === 'http-409') {
        return { kind: 'refuse', status: 409, body: `Channel ${dir} end already connected` };
      }
      return { kind: 'upgrade-then-close', channel, why: `${dir} end already taken` };
    }
    return { kind: 'attach', channel };
  }

  /** Removes stale channels; returns how many went. */
  sweep(now = Date.now()): number {
    const { ttlMs, policy } = this.options;
    let count = 0;
    for (const channel of this.channels.values()) {
      const ttl = channel.ttlMs ?? ttlMs;
      if (now - channel.createdAt < ttl) continue;
      const unclaimed = channel.writerState === 'free' || channel.readerState === 'free';
      // The engine leaks finished channels (§3.3); strict lets them go too.
      const spent = channel.finishedAt !== undefined || channel.brokenReason !== undefined;
      if (!unclaimed && !(policy.profile === 'strict' && spent)) continue;
      this.remove(channel, `expired after ${ttl} ms`);
      count++;
    }
    return count;
  }

  /**
   * Gives one channel a TTL of its own and sweeps when it runs out, so a
   * sweep scenario takes seconds instead of the engine's five minutes
   * without shortening the TTL of every other channel. False when unknown.
   */
  expireAfter(id: string, ms: number): boolean {
    const channel = this.channels.get(id);
    if (!channel) return false;
    channel.ttlMs = ms;
    setTimeout(() => this.sweep(), Math.max(0, channel.createdAt + ms - Date.now()) + 5).unref();
    return true;
  }

  /** strict only: frees what a departed creator left half-connected (§3.6). */
  releaseCreatedBy(workerId: string): number {
    if (!this.options.policy.releaseOnCreatorLeave) return 0;
    let count = 0;
    for (const channel of this.channels.values()) {
      if (channel.creatorWorkerId !== workerId) continue;
      if (channel.writerState !== 'free' && channel.readerState !== 'free') continue;
      this.remove(channel, 'creator worker left');
      count++;
    }
    return count;
  }

  private remove(channel: Channel, reason: string): void {
    channel.expire(reason);
    this.channels.delete(channel.id);
    this.removed++;
    this.options.logger.info(`channel ${short(channel.id)}: removed (${reason})`);
  }

  startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), this.options.sweepIntervalMs);
    this.sweeper.unref();
  }

  stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
