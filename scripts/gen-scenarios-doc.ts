// Writes docs/scenarios.md from the scenario definitions. test/scenarios-doc
// fails when the committed file is stale: run `npm run gen:scenarios`.
import { writeFileSync } from 'node:fs';
import { renderScenarioCatalogue, SCENARIOS_DOC } from '../scenarios/catalogue-doc.ts';

writeFileSync(SCENARIOS_DOC, renderScenarioCatalogue());
console.log(`wrote ${SCENARIOS_DOC}`);
