// The engine the proxy forwards to. Loopback only: the proxy exists to break
// connections between a worker and an engine the harness started itself, and
// must never become a relay towards another host.
import { isIPv4 } from 'node:net';
import { FaultProxyError } from './errors.ts';

export interface Upstream {
  host: string;
  port: number;
  /** host:port, for log lines. */
  label: string;
}

const LOOPBACK_HINT = 'the fault proxy forwards to loopback only (127.0.0.0/8, ::1, localhost)';

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIPv4(bare) && bare.startsWith('127.');
}

/** Parses the engine URL; the error never repeats the URL, which may hold a key. */
export function parseUpstream(engineUrl: string): Upstream {
  let url: URL;
  try {
    url = new URL(engineUrl);
  } catch {
    throw new FaultProxyError(
      'BAD_UPSTREAM',
      'upstream is not a URL; pass the engine URL, e.g. ws://127.0.0.1:49134',
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'http:') {
    throw new FaultProxyError(
      'BAD_UPSTREAM',
      `upstream scheme ${url.protocol} is not supported; use ws:// (the proxy relays plain TCP)`,
    );
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new FaultProxyError(
      'NON_LOOPBACK_UPSTREAM',
      `refusing upstream host ${url.hostname}: ${LOOPBACK_HINT}`,
    );
  }
  // Clients put their own path on the proxy's URL and the proxy forwards it
  // unchanged, so a path here would silently mean nothing.
  if (url.pathname !== '/' || url.search !== '' || url.username !== '') {
    throw new FaultProxyError(
      'BAD_UPSTREAM',
      'upstream must be the engine base URL ws://HOST:PORT, without path, query or credentials',
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 80 : Number(url.port);
  return { host, port, label: `${url.hostname}:${port}` };
}
