// Keeps the last lines a process printed, redacted, for failure reports, and
// optionally appends every line to a file in the report folder.
import { appendFileSync } from 'node:fs';
import type { Secrets } from './secrets.ts';

export class LogBuffer {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    private readonly secrets: Secrets,
    private readonly capacity = 2000,
    private readonly file?: string,
  ) {}

  write(chunk: string | Buffer): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.push(line);
  }

  push(line: string): void {
    const clean = this.secrets.redact(line.replace(/\r$/, ''));
    this.lines.push(clean);
    if (this.lines.length > this.capacity) this.lines.shift();
    if (this.file) appendFileSync(this.file, `${clean}\n`);
  }

  tail(count: number, filter?: string): string[] {
    const source = filter ? this.lines.filter((l) => l.includes(filter)) : this.lines;
    const tail = source.slice(-count);
    return this.partial && !filter ? [...tail, this.secrets.redact(this.partial)] : tail;
  }
}
