// One stderr line per lifecycle step, tagged with the cell and the role, as
// the contract asks. Callers pass sizes and outcomes, never refs or keys.
export function log(cell: string, role: string, message: string): void {
  process.stderr.write(`[cell ${cell || '-'}] ${role}: ${message}\n`);
}

export const size = (n: number) => `${n.toLocaleString('en-US')} B`;
