// Drives an SDK ChannelWriter in one of the two styles of the contract.
// AWAITED waits for every write callback and for 'drain' when the Writable
// asks for it; FIRE_AND_FORGET calls the same entry points without waiting,
// as the SDK's README shows (stream.write, sendMessage, stream.end).
import type { ChannelWriter } from 'iii-sdk/channel';
import { corrupt, dropsTexts } from './break.ts';
import type { DigestBuilder, Stage } from './digest.ts';
import type { WriteStyle } from './schema.ts';

export class WriterSink {
  stage: Stage = 'connect';
  private closed = false;

  constructor(
    readonly writer: ChannelWriter,
    readonly style: WriteStyle | undefined,
    readonly digest: DigestBuilder,
  ) {
    // Without a listener an SDK error event would crash the whole worker.
    writer.stream.on('error', (err) => digest.fail(this.stage, err));
  }

  /** whether the plan asked for the close (a plan without one leaves the stream open) */
  get closeCalled(): boolean {
    return this.closed;
  }

  get awaited(): boolean {
    return this.style !== 'FIRE_AND_FORGET';
  }

  async write(data: Buffer): Promise<void> {
    this.stage = 'write';
    this.digest.markStart();
    this.digest.chunk(data);
    const stream = this.writer.stream;
    if (!this.awaited) {
      stream.write(corrupt(data));
      return;
    }
    let ok = true;
    await new Promise<void>((resolve, reject) => {
      ok = stream.write(corrupt(data), (err) => (err ? reject(err) : resolve()));
    });
    if (!ok && stream.writableNeedDrain) await drained(this.writer);
  }

  text(value: string): void {
    this.stage = 'text';
    this.digest.markStart();
    this.digest.text(value);
    // sendMessage returns nothing to await: the SDK offers no completion signal.
    if (!dropsTexts()) this.writer.sendMessage(value);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stage = 'close';
    this.digest.markStart();
    const stream = this.writer.stream;
    if (!this.awaited) {
      stream.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  /** Past a deadline: close what this worker opened, without waiting. */
  giveUp(): void {
    this.closed = true;
    this.writer.close();
  }
}

function drained(writer: ChannelWriter): Promise<void> {
  const stream = writer.stream;
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('channel writer closed while waiting for drain'));
    stream.on('drain', onDrain);
    stream.on('close', onClose);
  });
}
