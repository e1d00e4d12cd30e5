// How a verdict looks in the HTML report: a tone for the colour and a symbol
// and word for the text, so the matrix reads the same without colour.
import type { Verdict } from '../../verdict.ts';

export type Tone = 'ok' | 'known' | 'stale' | 'bad';

export const TONES: Readonly<Record<Verdict, Tone>> = {
  PASS: 'ok',
  INFO: 'known',
  SKIP: 'known',
  XFAIL: 'known',
  'NON-STRICT': 'known',
  XPASS: 'stale',
  FAIL: 'bad',
  TIMEOUT: 'bad',
  ERROR: 'bad',
};

export const SYMBOLS: Readonly<Record<Tone, string>> = {
  ok: '✓',
  known: '○',
  stale: '!',
  bad: '✗',
};

export const toneOf = (v: Verdict): Tone => TONES[v] ?? 'bad';

/** A verdict badge: symbol and word, coloured by tone. */
export const badge = (v: Verdict) =>
  `<span class="badge t-${toneOf(v)}">${SYMBOLS[toneOf(v)]} ${v}</span>`;
