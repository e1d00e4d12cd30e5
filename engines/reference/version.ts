// Reported in the listening line and in diagnostics. Bump it when the
// broker's observable behaviour changes, so reports say which one ran.
export const BROKER_VERSION = '0.1.0';
