// Access keys must never reach a log or a report. Every key the harness
// learns is registered here, and every string that leaves the harness (log
// lines, reasons, log tails, report files) passes through redact().

// Stops at a backslash too: in JSON text the value may end in an escaped quote.
const KEY_IN_URL = /([?&]key=)[^&\s"'\\]+/g;
const KEY_IN_JSON = /("access_key"\s*:\s*")[^"]*(")/g;

export class Secrets {
  private readonly keys = new Set<string>();

  add(key: string): void {
    if (key) this.keys.add(key);
  }

  redact(text: string): string {
    let out = text.replace(KEY_IN_URL, '$1<redacted>').replace(KEY_IN_JSON, '$1<redacted>$2');
    for (const key of this.keys) {
      if (out.includes(key)) out = out.split(key).join('<redacted>');
    }
    return out;
  }
}
