// Fixed-size memory of the newest log lines, for Engine#tail().

export class LogRing {
  private readonly lines: string[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(line: string): void {
    if (this.capacity <= 0) return;
    if (this.lines.length < this.capacity) {
      this.lines.push(line);
      return;
    }
    this.lines[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
  }

  tail(count: number): string[] {
    const ordered = [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
    return count <= 0 ? [] : ordered.slice(-count);
  }
}
