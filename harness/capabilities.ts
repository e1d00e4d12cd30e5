// What a scenario needs from each worker in a cell. A missing capability is a
// SKIP with the reason, never a failure.
import type { Scenario } from '../scenarios/types.ts';
import type { Capabilities } from './schema/types.ts';

export function missingCapability(
  scenario: Scenario,
  writer: { lang: string; caps: Capabilities },
  relays: { lang: string; caps: Capabilities }[],
  readers: { lang: string; caps: Capabilities }[],
): string | null {
  const style = scenario.plan.style ?? 'AWAITED';
  const wanted = style === 'WRITE_STYLE_UNSPECIFIED' ? 'AWAITED' : style;
  if (!writer.caps.write_styles.includes(wanted)) {
    return `${writer.lang} worker cannot write in the ${wanted} style (its SDK has no such API)`;
  }
  for (const op of scenario.plan.ops) {
    if ('exit' in op && !writer.caps.exit) return `${writer.lang} worker cannot exit on request`;
    if ('abort' in op && !writer.caps.abort) {
      return `${writer.lang} worker's SDK offers no way to drop a channel socket`;
    }
  }
  // The raw writer lives in the harness; only a worker process can take its readers down.
  if (scenario.outcome === 'writer-dies' && writer.lang !== 'raw') {
    const others = [...relays, ...readers].map((r) => r.lang);
    if (others.includes(writer.lang)) {
      return `the ${writer.lang} writer's process would take its own ${writer.lang} reader down with it`;
    }
  }
  if (scenario.fault?.kind === 'engine-restart') {
    const mute = [writer, ...relays, ...readers].find((s) => s.lang !== 'raw' && !s.caps.recall);
    if (mute) {
      return `${mute.lang} worker cannot recall its results, which an engine restart keeps from the harness`;
    }
  }
  if (scenario.topology.kind === 'fanout' && !writer.caps.fanout) {
    return `${writer.lang} worker cannot write one plan to several channels (no fanout capability)`;
  }
  if (scenario.ownership === 'producer' && readers[0].lang === 'raw') {
    return 'the raw peer is no worker: a producer cannot trigger it with the reader ref';
  }
  if (scenario.ownership === 'producer' && !writer.caps.produce) {
    return `${writer.lang} worker cannot create channels itself`;
  }
  for (const relay of relays) {
    if (!relay.caps.relay) return `${relay.lang} worker cannot relay`;
  }
  const readStyle = scenario.read.style ?? 'READ_ALL';
  for (const r of [...relays, ...readers]) {
    const want = readStyle === 'READ_STYLE_UNSPECIFIED' ? 'READ_ALL' : readStyle;
    if (!r.caps.read_styles.includes(want))
      return `${r.lang} worker cannot read in the ${want} style`;
    if (scenario.read.texts && !r.caps.text_callback) {
      return `${r.lang} worker's SDK has no text callback`;
    }
  }
  return null;
}
