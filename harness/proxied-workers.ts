// The run's workers a second time, connected through the fault proxy. A cell
// whose fault needs one side behind the proxy calls that side's twin, which
// registers under its own tag so the two never share function ids.

import { proxiedSide, proxyFaultOf } from '../scenarios/types.ts';
import type { Cell } from './matrix.ts';
import type { WorkerCommand } from './runtime/worker-process.ts';

const SUFFIX = '_via_proxy';

/** The tag the proxied twin of `lang` registers under, e.g. ts_via_proxy. */
export const proxiedTag = (lang: string) => `${lang}${SUFFIX}`;

export function needsProxy(cells: readonly Cell[]): boolean {
  return cells.some((c) => proxyFaultOf(c.scenario) !== undefined);
}

/** The worker commands of the twins, for the languages the proxy cells put behind it. */
export function proxiedCommands(
  cells: readonly Cell[],
  workers: readonly WorkerCommand[],
): WorkerCommand[] {
  const langs = new Set<string>();
  for (const cell of cells) {
    const fault = proxyFaultOf(cell.scenario);
    if (!fault) continue;
    langs.add(proxiedSide(fault) === 'writer' ? cell.writer : cell.reader);
  }
  return workers.filter((w) => langs.has(w.lang)).map((w) => ({ ...w, tag: proxiedTag(w.lang) }));
}
