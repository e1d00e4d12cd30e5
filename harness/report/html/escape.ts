// Escaping for the HTML report. Every string from results.json passes through
// one of these: worker digests and log lines are untrusted text.

export function escapeHtml(text: unknown): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON that is safe inside <script type="application/json">: no "</script>",
 * no "<!--", and no U+2028/2029, which older parsers treat as line ends.
 */
export function embedJson(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** "ts->py->ts" as "ts → py → ts" for display. */
export const arrows = (stages: string) => stages.split('->').join(' → ');
