// Channel lifetime constants of the real engine, for scenarios that wait for
// the sweep (lifecycle/TTL). They are compile-time constants in the engine
// (engine/src/workers/worker/channels.rs, read at 0.23.0-rc.4), not config
// keys, so the adapter cannot shorten them: a TTL cell on `iii` takes up to
// TTL + one sweep interval.

/** A channel with an end never taken is removed once older than this. */
export const III_CHANNEL_TTL_MS = 5 * 60_000;

/** The sweep runs this often, first one interval after the engine starts serving. */
export const III_CHANNEL_SWEEP_INTERVAL_MS = 60_000;

/** Worst case from `engine::channels::create` to removal of a stale channel. */
export const III_CHANNEL_REMOVAL_MAX_MS = III_CHANNEL_TTL_MS + III_CHANNEL_SWEEP_INTERVAL_MS;
