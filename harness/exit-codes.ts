// Exit statuses, documented in README.md and docs/ci.md.
export const EXIT = {
  /** every cell PASS, INFO, XFAIL, SKIP or NON-STRICT */
  OK: 0,
  /** a cell FAIL, ERROR or TIMEOUT (or NON-STRICT under --strict) */
  FAILED: 1,
  /** a wrong flag or value, or a set-up error (toolchain, build, engine start) */
  USAGE: 2,
  /** expectations out of date: a listed cell passed (XPASS) or a pattern matched no cell */
  STALE_EXPECTATIONS: 3,
  /** interrupted by Ctrl-C or SIGTERM */
  INTERRUPTED: 130,
} as const;
