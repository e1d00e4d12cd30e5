// Drives one SDK ChannelWriter in one of the two styles the SDK docs show,
// and records every byte and text handed over in a digest. Shared by the
// write handler (plans) and the relay (its output side).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ChannelWriter } from 'iii-sdk/channel';
import type { Deadline } from './deadline.ts';
import { type DigestBuilder, errorInfo, type Stage, stageOf } from './digest.ts';
import type { Logger } from './log.ts';
import type { WriteStyle } from './requests.ts';

export class WriterDriver {
  private readonly stream: Writable;
  private stage: Stage = 'write';
  private failed: unknown;
  private aborted = false;
  /** Rejects on the stream's first 'error' or a close before it finished. */
  readonly failure: Promise<never>;

  constructor(
    readonly writer: ChannelWriter,
    readonly style: WriteStyle,
    readonly digest: DigestBuilder,
    private readonly deadline: Deadline,
    private readonly log: Logger,
  ) {
    this.stream = writer.stream;
    this.failure = new Promise<never>((_, reject) => {
      // A user-side 'error' listener (notes §4.11): without it a failed
      // connect would be an uncaught 'error' event and kill the process.
      this.stream.on('error', (err) => {
        this.fail(err);
        reject(err);
      });
      this.stream.on('close', () => {
        if (this.stream.writableFinished || this.aborted || this.failed) return;
        const err = Object.assign(new Error('writer stream closed before it finished'), {
          code: 'ERR_STREAM_PREMATURE_CLOSE',
        });
        this.fail(err);
        reject(err);
      });
    });
    this.failure.catch(() => {});
  }

  get error(): unknown {
    return this.failed;
  }

  async write(buf: Buffer): Promise<void> {
    this.stage = 'write';
    this.digest.started();
    this.digest.addChunk(buf);
    if (this.style === 'FIRE_AND_FORGET') {
      this.stream.write(buf);
      return;
    }
    let accepted = true;
    const written = new Promise<void>((resolve, reject) => {
      accepted = this.stream.write(buf, (err) => (err ? reject(err) : resolve()));
    });
    // Node emits 'drain' before the write callback, so listen right away.
    const drained = accepted ? Promise.resolve() : once(this.stream, 'drain');
    await this.settle(Promise.all([written, drained]));
  }

  /** The SDK's sendMessage has no completion signal, so there is nothing to await. */
  text(value: string): void {
    this.stage = 'text';
    this.digest.started();
    this.digest.addText(value);
    this.writer.sendMessage(value);
  }

  async close(): Promise<void> {
    this.stage = 'close';
    this.digest.started();
    if (this.style === 'FIRE_AND_FORGET') {
      this.stream.end();
      return;
    }
    const ended = new Promise<void>((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    await this.settle(ended);
  }

  /**
   * Drops the socket without a close frame: Writable.destroy() is Node's
   * documented way to end a stream abruptly, and the SDK maps it to
   * ws.terminate().
   */
  abort(): void {
    this.aborted = true;
    this.stream.destroy();
  }

  /** Past the deadline: close what we opened, at once (writer.close() has no delay). */
  closeNow(): void {
    this.writer.close();
  }

  /** Ends the digest from what the stream told us; only the first end counts. */
  finish(): void {
    if (this.failed) {
      this.digest.finish('error', errorInfo(this.failed, stageOf(this.failed, this.stage)));
    } else if (this.aborted) {
      this.digest.finish('aborted');
    } else {
      this.digest.finish('closed');
    }
  }

  private fail(err: unknown): void {
    if (this.failed || this.aborted) return;
    this.failed = err;
    this.log(`stream error at ${this.stage}: ${(err as Error)?.message ?? err}`);
  }

  private async settle(work: Promise<unknown>): Promise<void> {
    work.catch(() => {});
    try {
      await this.deadline.race(Promise.race([work, this.failure]));
    } catch (err) {
      // The write callback may carry the error before the 'error' event does.
      if (err instanceof Error && err.name === 'DeadlineExceeded') throw err;
      this.fail(err);
      throw err;
    }
  }
}
