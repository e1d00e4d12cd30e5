// Expectations files: cell-id patterns the team has decided to live with for
// now, each with a reason and the SDK or engine version it belongs to.
//
//   entries:
//     - cells: "frames/size-0 ts->*@reference"
//       reason: "npm ChannelWriter never opens its socket for an empty stream"
//       applies_to: "npm iii-sdk 0.22.1"
//     - cells: "backpressure/slow-* py->*@iii"
//       flaky: { passes: 2, of: 3 }
//       reason: ...
//       applies_to: ...
//     - cells: "interleave/order-stream-read *->ts@reference"
//       intermittent: true     # the fault shows only in some interleavings
//       reason: ...
//       applies_to: ...
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../usage-error.ts';

const entrySchema = z
  .object({
    cells: z.string().min(1),
    reason: z.string().min(1),
    applies_to: z.string().min(1),
    flaky: z
      .object({ passes: z.number().int().min(1), of: z.number().int().min(1) })
      .refine((f) => f.passes <= f.of, 'flaky.passes cannot exceed flaky.of')
      .optional(),
    /**
     * A known fault that only some timings expose: a failure is XFAIL and a
     * pass stays PASS (with the entry attached) instead of an XPASS, which
     * would fail runs at random. For cells that mostly fail; `flaky` is for
     * cells that mostly pass.
     */
    intermittent: z.boolean().optional(),
  })
  .strict()
  .refine((e) => !(e.flaky && e.intermittent), 'an entry is flaky or intermittent, not both');

const fileSchema = z.object({ entries: z.array(entrySchema).default([]) }).strict();

export type ExpectationEntry = z.infer<typeof entrySchema>;

export interface ExpectationsFile {
  path: string;
  entries: ExpectationEntry[];
}

/**
 * An engine's default file may be absent (no known failures); a file named on
 * the command line must exist, or a typo would silently list nothing.
 */
export function loadExpectations(path: string, mustExist = false): ExpectationsFile {
  if (!existsSync(path)) {
    if (mustExist) throw new UsageError(`expectations file ${path} does not exist`);
    return { path, entries: [] };
  }
  if (statSync(path).isDirectory()) {
    throw new UsageError(`expectations file ${path} is a directory; name a .yaml file`);
  }
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8')) ?? {};
  } catch (err) {
    throw new UsageError(`${path} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${path}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return { path, entries: parsed.data.entries };
}

const HEADER = `# Known failures, checked both ways: a listed cell that fails is XFAIL, one
# that passes is XPASS, and a pattern that matches no cell is stale; both
# stale cases end the run with exit status 3. Rewrite with
# \`npx iii-conformance run ... --update-expectations\`.
`;

export function saveExpectations(file: ExpectationsFile): void {
  writeFileSync(file.path, `${HEADER}${stringify({ entries: file.entries }, { lineWidth: 100 })}`);
}
