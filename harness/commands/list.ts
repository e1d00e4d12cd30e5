// `iii-conformance list`: every scenario with its level, tier and purpose.
import type { Command } from 'commander';
import { SCENARIOS } from '../../scenarios/index.ts';

function listScenarios(): void {
  const width = Math.max(...SCENARIOS.map((s) => s.id.length)) + 2;
  for (const s of SCENARIOS) {
    process.stdout.write(
      `${s.id.padEnd(width)}${s.level.padEnd(8)}${s.tier.padEnd(7)}${s.summary}\n`,
    );
  }
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('print every scenario id with its level, tier and what it checks')
    .action(() => listScenarios());
}
