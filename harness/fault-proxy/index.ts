// A loopback fault-injecting proxy between workers and an engine: see fault-proxy.ts.
export { FaultProxyError, type FaultProxyErrorCode } from './errors.ts';
export { type ConnectionCounts, FaultProxy, type FaultProxyOptions } from './fault-proxy.ts';
export type { FaultAction, FaultRule } from './fault-rules.ts';
export { type ChannelDirection, MAX_HEAD_BYTES } from './request-head.ts';
export { isLoopbackHost } from './upstream.ts';
