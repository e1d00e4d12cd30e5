// Every request carries deadline_ms. Past it the worker stops waiting on the
// SDK and reports what it has with end "timeout"; the harness's own trigger
// timeout is longer, so a worker that still overruns is reported by it.

export class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`deadline of ${ms} ms passed`);
    this.name = 'DeadlineExceeded';
  }
}

export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private readonly expired: Promise<never>;
  private passed = false;

  /** `ms` 0 means no deadline of our own. */
  constructor(readonly ms: number) {
    this.expired = new Promise<never>((_, reject) => {
      if (ms <= 0) return;
      this.timer = setTimeout(() => {
        this.passed = true;
        reject(new DeadlineExceeded(ms));
      }, ms);
    });
    // Callers race against this promise; it must never count as unhandled.
    this.expired.catch(() => {});
  }

  get hasPassed(): boolean {
    return this.passed;
  }

  /** Settles like `work`, or rejects with DeadlineExceeded first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.expired]);
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const slept = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return this.race(slept).finally(() => clearTimeout(timer));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
