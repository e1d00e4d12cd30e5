/** A wrong flag or value: exit status 2 with one actionable sentence. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}
