// The engine's combined stdout/stderr as lines, colour codes removed, the
// last `capacity` kept. The engine colours its logs even into a pipe, and a
// failure report should read like plain text.
import { stripVTControlCharacters } from 'node:util';

export class LogRing {
  private readonly lines: string[] = [];
  private partial = '';
  /** lines the ring let go of, so a full tail can say it is not the whole log */
  private dropped = 0;
  private readonly listeners = new Set<(line: string) => void>();

  constructor(
    private readonly capacity = 2000,
    /** Sees every complete line too, e.g. to tee into a report file. */
    private readonly onLine?: (line: string) => void,
  ) {}

  write(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) this.push(part);
  }

  push(raw: string): void {
    const line = stripVTControlCharacters(raw).replace(/\r$/, '');
    this.lines.push(line);
    if (this.lines.length > this.capacity) {
      this.lines.shift();
      this.dropped += 1;
    }
    this.onLine?.(line);
    for (const listener of this.listeners) listener(line);
  }

  /** Calls `listener` with every line from now on; returns the unsubscribe. */
  subscribe(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends a half-written last line, e.g. when the process exits. */
  flush(): void {
    if (this.partial) this.push(this.partial);
    this.partial = '';
  }

  tail(count: number): string[] {
    const partial = stripVTControlCharacters(this.partial);
    const all = partial ? [...this.lines, partial] : this.lines;
    if (count <= 0) return [];
    if (count <= all.length || this.dropped === 0) return all.slice(-count);
    const lines = this.dropped === 1 ? 'line' : 'lines';
    const note = `[harness] ${this.dropped} earlier ${lines} dropped (the log keeps the last ${this.capacity})`;
    return [note, ...all];
  }
}
