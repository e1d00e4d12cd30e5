// Every way the iii adapter can fail, as a small class with a stable code and
// one sentence that says what to do. The harness maps these to exit status 2
// (set-up error) or attaches them to a cell; it never parses the message.

export type IiiEngineErrorCode =
  | 'III_BINARY_NOT_FOUND'
  | 'III_VERSION_FAILED'
  | 'III_START_TIMEOUT'
  | 'III_EXITED_EARLY'
  | 'III_PORT_IN_USE'
  | 'III_LISTEN_FAILED'
  | 'III_NOT_STARTED';

export class IiiEngineError extends Error {
  override readonly name = 'IiiEngineError';

  constructor(
    readonly code: IiiEngineErrorCode,
    message: string,
    /** The engine's last log lines, when there was a process to log anything. */
    readonly logTail: string[] = [],
  ) {
    super(logTail.length ? `${message}\n--- iii log tail ---\n${logTail.join('\n')}` : message);
  }
}

export function binaryNotFound(path: string, why: string): IiiEngineError {
  return new IiiEngineError(
    'III_BINARY_NOT_FOUND',
    `iii binary not found at ${path} (${why}); pass --iii-bin PATH or set III_BIN`,
  );
}
