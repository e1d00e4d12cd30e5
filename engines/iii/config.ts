// The engine config the adapter writes. It is fixed apart from a few numbers,
// so it is rendered by hand rather than through a YAML library.
//
// The engine injects its mandatory workers (engine functions, configuration,
// observability, telemetry) whatever the file says; with the environment the
// adapter sets none of them opens a socket (see README.md in this folder).
// Declaring `iii-worker-manager` replaces its default, which would listen on
// 0.0.0.0:49134.

export type IiiLogLevel = 'info' | 'debug' | 'trace';

export interface IiiConfigOptions {
  port: number;
  /**
   * How long the engine holds a new worker's registrations while it waits for
   * `engine::workers::register` (engine default 5000). Every SDK sends that
   * call at once, so this only matters for a client that never does.
   */
  registrationGraceMs: number;
  /** Deadline for a TCP connection to finish its WebSocket upgrade (engine default 10000). */
  handshakeTimeoutMs?: number;
  /**
   * Engine log level. Set through the `iii-observability` worker's block,
   * the only place the engine reads it from. Absent: the engine's own default.
   * Side effect: a block without `enabled` turns the engine's in-memory OTel
   * and trace store off (seen on 0.23.0-rc.4); channels are unaffected.
   */
  logLevel?: IiiLogLevel;
}

/** The only address the adapter ever lets the engine listen on. */
export const LOOPBACK = '127.0.0.1';

export function renderConfig(options: IiiConfigOptions): string {
  const { port, registrationGraceMs, handshakeTimeoutMs, logLevel } = options;
  assertWhole('port', port, 1, 65_535);
  assertWhole('registrationGraceMs', registrationGraceMs, 0);
  if (handshakeTimeoutMs !== undefined) assertWhole('handshakeTimeoutMs', handshakeTimeoutMs, 1);

  const lines = [
    '# Written by iii-channel-conformance for one engine run; deleted on stop.',
    `registration_namespace_grace_ms: ${registrationGraceMs}`,
    'workers:',
    '  - name: iii-worker-manager',
    '    config:',
    `      host: "${LOOPBACK}"`,
    `      port: ${port}`,
  ];
  if (handshakeTimeoutMs !== undefined) {
    lines.push(`      handshake_timeout_ms: ${handshakeTimeoutMs}`);
  }
  if (logLevel) {
    lines.push('  - name: iii-observability', '    config:', `      level: ${logLevel}`);
  }
  return `${lines.join('\n')}\n`;
}

function assertWhole(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `iii config: ${name} must be an integer in [${min}, ${max}], got ${value}`,
    );
  }
}
