// Lifecycle logging on stderr, one line per step, tagged with the cell id and
// the role. Stdout stays silent so a harness may parse it if it ever needs to.

/** Strips anything that could be an access key before it reaches a log or digest. */
export function redact(text: string): string {
  return text
    .replace(/([?&]key=)[^&\s"']+/g, '$1<redacted>')
    .replace(/("?access_key"?\s*[:=]\s*"?)[^",\s}]+/g, '$1<redacted>');
}

export interface Logger {
  (message: string): void;
  child(role: string): Logger;
}

export function logger(tag: string): Logger {
  const log = ((message: string) => {
    process.stderr.write(`${tag} ${redact(message)}\n`);
  }) as Logger;
  log.child = (role: string) => logger(`${tag} ${role}:`);
  return log;
}

export const cellLogger = (lang: string, cell: string): Logger =>
  logger(`[cell ${cell || '-'}] ${lang}`);

/** Bytes in the units a reader of the log expects. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
