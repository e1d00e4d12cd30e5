// One line per lifecycle step, to stderr by default. Debug lines only with
// --verbose or III_REFERENCE_DEBUG=1. Callers must never pass an access key;
// `redact` is a last line of defence for text that came from a client.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  readonly verbose: boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface LoggerOptions {
  verbose?: boolean;
  /** Where lines go; defaults to process.stderr. */
  sink?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const verbose = options.verbose ?? process.env.III_REFERENCE_DEBUG === '1';
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: LogLevel, message: string) => {
    sink(`${new Date().toISOString()} ${level.padEnd(5)} [reference] ${message}`);
  };

  return {
    verbose,
    debug: (m) => {
      if (verbose) emit('debug', m);
    },
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}

const KEY_PARAM = /([?&]key=)[^&\s]*/gi;

/** Strips `key=` query values from a URL or message before it is logged. */
export function redact(text: string): string {
  return text.replace(KEY_PARAM, '$1<redacted>');
}

/** First 8 characters of an id: enough to follow a log, short to read. */
export function short(id: string): string {
  return id.slice(0, 8);
}
