// Every behaviour in which the two profiles differ lives here, so the gap
// between "what the real engine does" (compat) and "what a conformance
// suite calls correct" (strict) can be read in one screen. Section numbers
// refer to /work/shared/docs/iii-protocol-notes.md.

export type ProfileName = 'compat' | 'strict';

export const PROFILE_NAMES: readonly ProfileName[] = ['compat', 'strict'];

export interface ChannelPolicy {
  readonly profile: ProfileName;

  /**
   * §3.4, §3.6: the engine treats a writer read error or EOF like a Close,
   * so a writer that dies mid-stream looks like a clean end to the reader.
   * Strict ends the reader with an abnormal close code so truncation shows.
   */
  readonly abnormalWriterEnd: 'clean-close' | 'close-1011';

  /**
   * §3.4: after the queue drains the engine sends a Close with no status
   * code. Strict says 1000 explicitly; both read as a normal end.
   */
  readonly normalEndCode: number | undefined;

  /**
   * §3.3: a second connect to a taken end is upgraded (101) and closed at
   * once, which readers report as an empty, successful stream. Strict
   * refuses it before the upgrade with 409.
   */
  readonly takenEnd: 'upgrade-then-close' | 'http-409';

  /**
   * §3.3: a finished channel stays in the map, so a late connect gets
   * 101 + Close instead of 404. Strict answers 410 Gone.
   */
  readonly finishedChannel: 'upgrade-then-close' | 'http-410';

  /**
   * §3.1, §3.3: both refs share one key and `dir` is never compared with
   * the ref, so any ref holder can claim either end. Strict mints one key
   * per direction and refuses the other direction's key with 403.
   */
  readonly keyPerDirection: boolean;

  /**
   * §3.5: the engine never reads the reader's socket, so a reader that
   * leaves (Close or drop) is noticed only when a send to it fails, and the
   * writer is then dropped without a Close (1006). Strict closes the writer
   * with 1011 as soon as the reader leaves, either way.
   */
  readonly readerGone: 'as-engine' | 'close-writer-1011';

  /**
   * §3.6: channels::create records no owner, so a departing worker frees
   * none of its channels. Strict releases the departing creator's channels
   * that are not fully connected (an unclaimed end can then never be used
   * by anyone the creator meant it for), closing connected ends with 1011.
   */
  readonly releaseOnCreatorLeave: boolean;

  /**
   * §3.6: removing a channel (sweep) gives a connected reader a clean EOF.
   * Strict ends it with 1011 so an expired stream is not mistaken for data.
   */
  readonly expiryEndsReader: 'clean-close' | 'close-1011';
}

const COMPAT: ChannelPolicy = {
  profile: 'compat',
  abnormalWriterEnd: 'clean-close',
  normalEndCode: undefined,
  takenEnd: 'upgrade-then-close',
  finishedChannel: 'upgrade-then-close',
  keyPerDirection: false,
  readerGone: 'as-engine',
  releaseOnCreatorLeave: false,
  expiryEndsReader: 'clean-close',
};

const STRICT: ChannelPolicy = {
  profile: 'strict',
  abnormalWriterEnd: 'close-1011',
  normalEndCode: 1000,
  takenEnd: 'http-409',
  finishedChannel: 'http-410',
  keyPerDirection: true,
  readerGone: 'close-writer-1011',
  releaseOnCreatorLeave: true,
  expiryEndsReader: 'close-1011',
};

export function policyFor(profile: ProfileName): ChannelPolicy {
  return profile === 'strict' ? STRICT : COMPAT;
}

export function isProfileName(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}
