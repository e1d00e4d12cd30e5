// A connection's end in the words of an ErrorInfo: a stable code and one
// sentence that reads like a bug report line. Only called for ends that are
// not the clean one, so an answered Close here carries an unexpected code.
import type { ConnectionEnd } from './connection.ts';

export function summarizeEnd(end: ConnectionEnd): { code: string; message: string } {
  switch (end.how) {
    case 'close': {
      const reason = end.reason ? ` "${end.reason.slice(0, 100)}"` : '';
      // 'us': our Close went first (or crossed the engine's); its reply carried this code.
      const who = end.by === 'peer' ? 'engine sent' : 'our Close got back';
      return { code: 'PEER_CLOSED', message: `${who} Close ${end.code}${reason}` };
    }
    case 'tcp-end':
      return { code: 'NO_CLOSE', message: 'TCP connection ended without a Close frame' };
    case 'error':
      return { code: end.code, message: end.message };
    case 'dropped-by-us':
      return { code: 'DROPPED', message: 'this side dropped the connection' };
  }
}
