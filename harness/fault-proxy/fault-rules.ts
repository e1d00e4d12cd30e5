// Which channel end gets which fault. A rule is bound to a connection when
// its request head is read, so removing a rule spares later connections but
// does not disarm one already in flight.
import { FaultProxyError } from './errors.ts';
import type { ChannelDirection } from './request-head.ts';

export type FaultAction =
  /** Accept TCP, read the request, never answer it and never call the upstream. */
  | { kind: 'stall-upgrade' }
  /** Forward, then RST both sockets once `bytes` went client→upstream after the 101. */
  | { kind: 'reset-after'; bytes: number };

export interface FaultRule {
  channelId: string;
  direction: ChannelDirection;
  action: FaultAction;
}

const DIRECTIONS: readonly string[] = ['read', 'write'];
const KINDS: readonly string[] = ['stall-upgrade', 'reset-after'];

export class RuleBook {
  private readonly rules: FaultRule[] = [];

  /** Adds a rule; returns the function that removes it (idempotent). */
  add(rule: FaultRule): () => void {
    const checked = validated(rule);
    const clash = this.match(checked.channelId, checked.direction);
    if (clash) {
      throw new FaultProxyError(
        'RULE_CONFLICT',
        `channel ${checked.channelId.slice(0, 8)} ${checked.direction} end already has a ` +
          `${clash.kind} rule; remove it first`,
      );
    }
    this.rules.push(checked);
    return () => {
      const at = this.rules.indexOf(checked);
      if (at >= 0) this.rules.splice(at, 1);
    };
  }

  match(channelId: string, direction: ChannelDirection): FaultAction | undefined {
    return this.rules.find((r) => r.channelId === channelId && r.direction === direction)?.action;
  }
}

function validated(rule: FaultRule): FaultRule {
  const bad = (why: string) => new FaultProxyError('BAD_RULE', why);
  if (typeof rule.channelId !== 'string' || !/^[^/?#\s]+$/.test(rule.channelId)) {
    throw bad('channelId must be a non-empty channel id without "/", "?", "#" or spaces');
  }
  if (!DIRECTIONS.includes(rule.direction)) {
    throw bad(`direction must be one of ${DIRECTIONS.join(', ')}; got ${String(rule.direction)}`);
  }
  const action = rule.action;
  if (!action || !KINDS.includes(action.kind)) {
    throw bad(`action.kind must be one of ${KINDS.join(', ')}; got ${String(action?.kind)}`);
  }
  if (action.kind === 'reset-after' && !(Number.isSafeInteger(action.bytes) && action.bytes >= 0)) {
    throw bad(`reset-after bytes must be a non-negative integer; got ${String(action.bytes)}`);
  }
  // A copy, so a caller mutating its object later cannot change a live rule.
  const copy: FaultAction =
    action.kind === 'reset-after'
      ? { kind: action.kind, bytes: action.bytes }
      : { kind: action.kind };
  return { channelId: rule.channelId, direction: rule.direction, action: copy };
}
