// Performs a plan's ops in order on a WriterSink. The seeded bytes are made
// one chunk at a time, so a 64 MiB plan never sits in memory whole.
import { setTimeout as sleep } from 'node:timers/promises';
import { log, size } from './log.ts';
import { InvalidRequest, type Op, type Plan } from './schema.ts';
import { seededBytes } from './seeded-stream.ts';
import type { WriterSink } from './writer-sink.ts';

/** Rejects what this worker cannot do before any channel work starts. */
export function checkPlan(plan: Plan | undefined, path: string): void {
  (plan?.ops ?? []).forEach((op, i) => {
    const kinds = Object.keys(op);
    if (kinds.length !== 1) {
      throw new InvalidRequest(`${path}.ops[${i}]`, 'expected exactly one of the op kinds');
    }
    if ('abort' in op) {
      // The npm SDK documents no way to drop a channel socket without a close
      // frame; capabilities say abort: false.
      throw new InvalidRequest(`${path}.ops[${i}].abort`, 'not supported (capability abort)');
    }
  });
}

export interface PlanRun {
  /** set once the deadline passed: the runner stops between ops */
  stopped: boolean;
}

async function runOp(op: Op, sink: WriterSink, cell: string, role: string): Promise<void> {
  if ('bytes' in op) {
    const { seed = '', offset = 0, length = 0, chunk = 0 } = op.bytes;
    const step = chunk > 0 ? chunk : Math.max(length, 1);
    if (length === 0) {
      await sink.write(Buffer.alloc(0));
      return;
    }
    for (let at = 0; at < length; at += step) {
      await sink.write(seededBytes(seed, offset + at, Math.min(step, length - at)));
    }
  } else if ('text' in op) {
    const { value = '', repeat = 0 } = op.text;
    sink.text(value.repeat(Math.max(1, repeat)));
  } else if ('pause' in op) {
    await sleep(op.pause.ms ?? 0);
  } else if ('close' in op) {
    await sink.close();
  } else if ('exit' in op) {
    const code = op.exit.code ?? 0;
    log(cell, role, `exit ${code} as planned after ${size(sink.digest.bytes)}`);
    process.exit(code);
  }
}

export async function runPlan(
  plan: Plan | undefined,
  sink: WriterSink,
  run: PlanRun,
  cell: string,
  role: string,
): Promise<void> {
  try {
    for (const op of plan?.ops ?? []) {
      if (run.stopped || sink.digest.end === 'error') return;
      await runOp(op, sink, cell, role);
    }
  } catch (err) {
    sink.digest.fail(sink.stage, err);
    log(cell, role, `failed at ${sink.stage}: ${sink.digest.error?.message}`);
  }
}
