// Keeps the iii engine from outliving the harness, even a SIGKILLed one.
//
//   node supervisor.mjs --grace-ms N [--remove-dir DIR] -- <iii-binary> [engine args...]
//
// The engine never reads stdin and has no parent-death hook, so a harness that
// dies hard would leave it serving. This wrapper holds the other end of a pipe
// the harness owns (our stdin): when the harness dies the kernel closes it, we
// read EOF and stop the engine. Plain JavaScript on purpose: it starts on every
// engine launch, must start fast and must not need a TypeScript loader.
//
// The engine runs in its own process group (detached), so a terminal Ctrl-C
// reaches only the harness, which decides when to stop, and so the final
// group-wide SIGKILL also takes anything the engine may have spawned.
//
// --remove-dir names the engine's temp work dir: removed once the engine has
// exited, so a harness killed with SIGKILL leaves no files behind either.
//
// Fd 3, when the parent opened it, carries one JSON line per event
// ({"event":"spawned","pid":N}, {"event":"exit",...}) for the adapter; stderr
// carries the same steps as log lines for humans.
import { spawn } from 'node:child_process';
import { rmSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { 'grace-ms': { type: 'string' }, 'remove-dir': { type: 'string' } },
  allowPositionals: true,
});
const [binary, ...engineArgs] = positionals;
const graceMs = Number(values['grace-ms']);
const removeDir = values['remove-dir'];
if (!binary || !Number.isFinite(graceMs) || graceMs < 0 || (removeDir && !isAbsolute(removeDir))) {
  process.stderr.write(
    'usage: node supervisor.mjs --grace-ms N [--remove-dir /abs/dir] -- <iii-binary> [args...]\n',
  );
  process.exit(2);
}

// A dead harness makes our own writes fail with EPIPE; that must not stop us
// from stopping the engine.
process.stderr.on('error', () => {});
const say = (message) => process.stderr.write(`[iii-supervisor] ${message}\n`);
const report = (event) => {
  try {
    writeSync(3, `${JSON.stringify(event)}\n`);
  } catch {
    // No status pipe, or its reader is gone: the log line is enough.
  }
};

const engine = spawn(binary, engineArgs, {
  stdio: ['pipe', 'inherit', 'inherit'],
  detached: true,
});
let stopping = false;

const signalEngine = (signal) => {
  if (!engine.pid) return;
  try {
    process.kill(-engine.pid, signal);
  } catch {
    // Group already gone (ESRCH): nothing left to signal.
  }
};

const stop = (reason) => {
  if (stopping) return;
  stopping = true;
  say(`${reason}: stopping engine pid ${engine.pid} (SIGTERM, SIGKILL after ${graceMs} ms)`);
  signalEngine('SIGTERM');
  setTimeout(() => {
    say(`engine pid ${engine.pid} still running after ${graceMs} ms: SIGKILL`);
    signalEngine('SIGKILL');
  }, graceMs);
};

engine.on('spawn', () => {
  say(`engine pid ${engine.pid} started: ${binary} ${engineArgs.join(' ')}`);
  report({ event: 'spawned', pid: engine.pid });
});

engine.on('error', (err) => {
  say(`could not start engine: ${err.message}`);
  report({ event: 'error', message: err.message });
  process.exit(127);
});

engine.on('exit', (code, signal) => {
  // Whatever the engine left in its group goes with it.
  signalEngine('SIGKILL');
  say(`engine pid ${engine.pid} exited (${signal ? `signal ${signal}` : `code ${code}`})`);
  try {
    if (removeDir) rmSync(removeDir, { recursive: true, force: true });
  } catch (err) {
    say(`could not remove ${removeDir}: ${err.message}`);
  }
  report({ event: 'exit', code, signal });
  process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
});

process.stdin.on('end', () => stop('harness closed stdin'));
process.stdin.on('error', () => stop('harness stdin failed'));
process.stdin.resume();
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGHUP'));
// Ctrl-C in a terminal reaches the harness too; it stops the engine itself,
// after its own cleanup, so the supervisor leaves that decision to it.
process.on('SIGINT', () => {});
