import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the harness runs from its own checkout. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CACHE = join(ROOT, '.cache');
export const PY_VENV = join(CACHE, 'venv-py');
export const CARGO_TARGET = join(CACHE, 'cargo-target');
export const RS_WORKER_BIN = join(CARGO_TARGET, 'release', 'iii-conformance-worker-rs');
