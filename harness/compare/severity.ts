// How bad a verdict is for the SDKs and engine under test, for `compare`.
// A cell regressed when its verdict moved to a higher rank; it was fixed when
// it moved to a lower one. Verdicts of the same rank only "changed".
import type { Verdict } from '../verdict.ts';

/**
 * Rank of each verdict, best first (documented in docs/ci.md):
 * 0 PASS, XPASS, INFO: every gating check held (XPASS only means the
 *   expectations file is stale; INFO checks are recorded, never gate);
 * 1 SKIP: not run, a capability is absent, so coverage was lost;
 * 2 NON-STRICT: a SHOULD check failed;
 * 3 XFAIL: a MUST check failed, but it is a listed known failure;
 * 4 FAIL, TIMEOUT, ERROR: an unlisted failure.
 */
export const SEVERITY: Readonly<Record<Verdict, number>> = {
  PASS: 0,
  XPASS: 0,
  INFO: 0,
  SKIP: 1,
  'NON-STRICT': 2,
  XFAIL: 3,
  FAIL: 4,
  TIMEOUT: 4,
  ERROR: 4,
};

/** Tie-break within a rank, so repeated attempts report one stable worst verdict. */
const ORDER: Verdict[] = [
  'PASS',
  'XPASS',
  'INFO',
  'SKIP',
  'NON-STRICT',
  'XFAIL',
  'FAIL',
  'TIMEOUT',
  'ERROR',
];

export function severity(verdict: Verdict): number {
  return SEVERITY[verdict] ?? SEVERITY.ERROR;
}

/** The worse of two verdicts: higher rank first, then later in ORDER. */
export function worse(a: Verdict, b: Verdict): Verdict {
  if (severity(a) !== severity(b)) return severity(a) > severity(b) ? a : b;
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}
