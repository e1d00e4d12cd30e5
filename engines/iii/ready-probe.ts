// Readiness as a worker sees it: the worker route accepts a WebSocket and the
// engine greets it with `workerregistered` (sent right after the upgrade,
// before the engine reads anything). The probe then leaves; the engine cleans
// up the anonymous connection like any departed worker.
import WebSocket from 'ws';

export function probeWorkerSocket(url: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
    const timer = setTimeout(
      () => finish(new Error(`no workerregistered within ${timeoutMs} ms`)),
      timeoutMs,
    );

    function finish(err?: Error) {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      if (err) reject(err);
      else resolve();
    }

    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      try {
        if (JSON.parse(data.toString()).type === 'workerregistered') finish();
      } catch {
        // Not JSON: keep waiting for the greeting until the timeout.
      }
    });
    ws.on('error', (err) => finish(err));
    ws.on('close', (code) => finish(new Error(`closed (${code}) before workerregistered`)));
  });
}
