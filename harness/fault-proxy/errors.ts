// One error class for everything the fault proxy refuses, with a stable code
// a caller can branch on. Messages never quote a URL's query string: an
// engine URL or a channel URL may carry an access key there.

export type FaultProxyErrorCode =
  | 'BAD_UPSTREAM'
  | 'NON_LOOPBACK_UPSTREAM'
  | 'BAD_RULE'
  | 'RULE_CONFLICT'
  | 'EVENT_TIMEOUT'
  | 'STOPPED';

export class FaultProxyError extends Error {
  readonly code: FaultProxyErrorCode;

  constructor(code: FaultProxyErrorCode, message: string) {
    super(message);
    this.name = 'FaultProxyError';
    this.code = code;
  }
}
