// Decides when a freshly started engine is ready, or why it never will be.
//
// The engine does not exit when its port is taken: it logs the bind error and
// keeps running without a listener, and whatever else holds the port would
// answer our probe. So the probe waits for the engine's own "listening on
// 127.0.0.1:PORT" line first, and a bind error ends the attempt at once.
import { LOOPBACK } from './config.ts';
import type { EngineProcess } from './engine-process.ts';
import { IiiEngineError } from './errors.ts';
import type { LogRing } from './log-ring.ts';
import { probeWorkerSocket } from './ready-probe.ts';

export interface ReadinessOptions {
  proc: EngineProcess;
  port: number;
  timeoutMs: number;
  logs: LogRing;
}

const TAIL = 30;
const PROBE_RETRY_MS = 100;
const BIND_FAILED = /already in use|failed to bind/i;

export async function waitUntilReady(options: ReadinessOptions): Promise<void> {
  const { proc, port, timeoutMs, logs } = options;
  const url = `ws://${LOOPBACK}:${port}`;
  const listeningLine = new RegExp(`listening on address:\\s*${LOOPBACK}:${port}\\b`, 'i');
  const deadline = Date.now() + timeoutMs;
  let settled = false;
  let sawListening = false;
  let lastProbeError = 'not probed yet';

  let onListening!: () => void;
  const listening = new Promise<void>((resolve) => {
    onListening = resolve;
  });
  let onBindFailed!: (err: Error) => void;
  const bindFailed = new Promise<never>((_, reject) => {
    onBindFailed = reject;
  });

  const unsubscribe = logs.subscribe((line) => {
    if (listeningLine.test(line)) {
      sawListening = true;
      onListening();
    } else if (BIND_FAILED.test(line)) {
      const code = /already in use/i.test(line) ? 'III_PORT_IN_USE' : 'III_LISTEN_FAILED';
      onBindFailed(new IiiEngineError(code, `iii could not listen on ${url}`, logs.tail(TAIL)));
    }
  });

  const probed = listening.then(async () => {
    while (!settled) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        await probeWorkerSocket(url, Math.min(remaining, 2000));
        return;
      } catch (err) {
        lastProbeError = (err as Error).message;
        await new Promise((r) => setTimeout(r, PROBE_RETRY_MS));
      }
    }
    return new Promise<void>(() => {});
  });

  const exited = proc.exited.then((exit) => {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    throw new IiiEngineError(
      'III_EXITED_EARLY',
      `iii ${how} before ${url} was ready`,
      logs.tail(TAIL),
    );
  });

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const waitedFor = sawListening
        ? `a workerregistered greeting on ${url} (last probe: ${lastProbeError})`
        : `the engine's "listening on address: ${LOOPBACK}:${port}" log line`;
      const message = `iii not ready within ${timeoutMs} ms; waited for ${waitedFor}`;
      reject(new IiiEngineError('III_START_TIMEOUT', message, logs.tail(TAIL)));
    }, timeoutMs);
  });

  try {
    await Promise.race([probed, bindFailed, exited, timedOut]);
  } finally {
    settled = true;
    clearTimeout(timer);
    unsubscribe();
    // The losers of the race may still settle; nobody is listening any more.
    for (const p of [bindFailed, exited, timedOut]) p.catch(() => {});
  }
}
