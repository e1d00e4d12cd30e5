import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderScenarioCatalogue, SCENARIOS_DOC } from '../scenarios/catalogue-doc.ts';
import { SCENARIOS, scenariosFor } from '../scenarios/index.ts';

describe('scenario catalogue', () => {
  it('docs/scenarios.md is current (run npm run gen:scenarios)', () => {
    expect(readFileSync(SCENARIOS_DOC, 'utf8')).toBe(renderScenarioCatalogue());
  });

  it('has unique ids, a summary sentence and a level for every scenario', () => {
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length);
    for (const s of SCENARIOS) {
      expect(s.summary.length, s.id).toBeGreaterThan(20);
      expect(['MUST', 'SHOULD', 'INFO']).toContain(s.level);
      expect(s.id.startsWith(`${s.family}/`), s.id).toBe(true);
    }
  });

  it('nests profiles: quick holds everything core has except what core alone needs', () => {
    const full = scenariosFor('full');
    expect(full.length).toBe(SCENARIOS.length);
    expect(scenariosFor('quick').length).toBeGreaterThan(scenariosFor('core').length);
  });
});
