// Stand-ins for the SDK's ChannelWriter and ChannelReader with the members
// the worker uses (a Node stream, sendMessage/onMessage, close), so the
// worker's own logic can be tested without a socket. What the real SDK does
// is pinned by the e2e tests, never here.
import { Readable, Writable } from 'node:stream';
import type { ChannelReader, ChannelWriter } from 'iii-sdk/channel';
import { Deadline } from '../../src/deadline.ts';
import type { Logger } from '../../src/log.ts';
import type { RunContext } from '../../src/plan.ts';

const quiet: Logger = Object.assign(() => {}, { child: () => quiet });

/** A deadline that counts the sleeps it was asked for. */
export class CountingDeadline extends Deadline {
  sleeps = 0;
  override sleep(ms: number): Promise<void> {
    this.sleeps += 1;
    return super.sleep(ms);
  }
}

export function context(deadline = new CountingDeadline(5000)): RunContext {
  return { lang: 'ts', entry: performance.now(), deadline, log: quiet };
}

export type WriteFault = 'none' | 'fail' | 'stall';

/** Every SDK call a fake writer gets, in one shared log: "<name> <call> <detail>". */
export function fakeWriter(name: string, calls: string[], fault: WriteFault = 'none') {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      calls.push(`${name} write ${chunk.length}`);
      if (fault === 'fail') callback(new Error(`${name} refused the write`));
      else if (fault === 'none') callback();
      // 'stall': never calls back, like a socket that never drains
    },
    final(callback) {
      calls.push(`${name} end`);
      callback();
    },
    destroy(err, callback) {
      // Node destroys every finished Writable itself; only an early destroy is a call.
      if (!this.writableFinished) calls.push(`${name} destroy`);
      callback(err);
    },
  });
  const writer = {
    stream,
    sendMessage: (value: string) => calls.push(`${name} text ${value}`),
    close: () => calls.push(`${name} close`),
  };
  return writer as unknown as ChannelWriter;
}

/** A reader whose texts the test delivers; `pulled` says whether binary was ever asked for. */
export function fakeReader() {
  const callbacks: ((value: string) => void)[] = [];
  const state = { pulled: false, closed: false };
  const stream = new Readable({
    read() {
      state.pulled = true;
    },
  });
  const reader = {
    stream,
    onMessage: (cb: (value: string) => void) => callbacks.push(cb),
    close: () => {
      state.closed = true;
    },
  };
  return {
    reader: reader as unknown as ChannelReader,
    state,
    stream,
    deliver: (value: string) => {
      for (const cb of callbacks) cb(value);
    },
  };
}
