// Lists a process's TCP/UDP sockets from /proc (Linux only), so a test or a
// diagnostic can prove the engine talks to nobody but loopback. `ss -tnp`
// says the same, but needs iproute2 and is awkward to parse.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface SocketEntry {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  local: string;
  remote: string;
  /** TCP state, e.g. LISTEN or ESTABLISHED; UDP sockets report their raw state. */
  state: string;
}

const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

export const canAuditSockets = (): boolean => existsSync('/proc/net/tcp');

/** Every inet socket `pid` holds open; sockets in other namespaces are not seen. */
export function socketsOf(pid: number): SocketEntry[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // The fd closed while we looked.
    }
  }

  const entries: SocketEntry[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    const table = `/proc/${pid}/net/${proto}`;
    if (!existsSync(table)) continue;
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (!inodes.has(cols[9])) continue;
      const state = proto.startsWith('tcp') ? (TCP_STATES[cols[3]] ?? cols[3]) : cols[3];
      entries.push({ proto, local: decode(cols[1]), remote: decode(cols[2]), state });
    }
  }
  return entries;
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
export function isLoopback(address: string): boolean {
  const host = address.slice(0, address.lastIndexOf(':'));
  return /^(127\.|::ffff:127\.)/.test(host) || host === '::1';
}

/** The "any" address: a bound-but-unconnected socket's peer, or a wildcard listener. */
export function isUnspecified(address: string): boolean {
  return address.startsWith('*:');
}

/** Sockets that could reach or be reached from beyond this machine. */
export function nonLoopback(entries: SocketEntry[]): SocketEntry[] {
  return entries.filter(
    (s) => !isLoopback(s.local) || !(isLoopback(s.remote) || isUnspecified(s.remote)),
  );
}

/** "0100007F:1F90" -> "127.0.0.1:8080"; IPv6 comes as four little-endian words. */
function decode(hexAddress: string): string {
  const [hexHost, hexPort] = hexAddress.split(':');
  const port = Number.parseInt(hexPort, 16);
  if (/^0+$/.test(hexHost)) return `*:${port}`;

  if (hexHost.length === 8) {
    const bytes = (hexHost.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16));
    return `${bytes.join('.')}:${port}`;
  }
  const words = (hexHost.match(/.{8}/g) ?? []).map((w) => (w.match(/../g) ?? []).reverse());
  const bytes = words.flat().map((b) => Number.parseInt(b, 16));
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) {
    return `::ffff:${bytes.slice(12).join('.')}:${port}`;
  }
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return `::1:${port}`;
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return `${groups.join(':')}:${port}`;
}
