// A connection's end in the words of an ErrorInfo: a stable code and one
// sentence that reads like a bug report line.
import type { ConnectionEnd } from './connection.ts';

export function summarizeEnd(end: ConnectionEnd): { code: string; message: string } {
  switch (end.how) {
    case 'close': {
      const reason = end.reason ? ` "${end.reason.slice(0, 100)}"` : '';
      const who = end.by === 'peer' ? 'engine sent' : 'engine answered our Close with';
      return {
        code: end.by === 'peer' ? 'PEER_CLOSED' : 'CLOSED',
        message: `${who} Close ${end.code}${reason}`,
      };
    }
    case 'tcp-end':
      return { code: 'NO_CLOSE', message: 'TCP connection ended without a Close frame' };
    case 'error':
      return { code: end.code, message: end.message };
    case 'dropped-by-us':
      return { code: 'DROPPED', message: 'this side dropped the connection' };
  }
}
