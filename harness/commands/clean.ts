// `iii-conformance clean`: removes what earlier container runs left behind.
// A run removes its own containers, and a killed run's containers end with
// its stdin; this is for whatever still slipped through (a hung harness, a
// daemon restart). Containers of a harness that still runs are kept.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.ts';

interface CleanFlags {
  all: boolean;
  images: boolean;
}

async function clean(flags: CleanFlags, say: (line: string) => void): Promise<number> {
  const { LABELS, docker, listRunContainers, ownerAlive, removeContainers } = await import(
    '../runtime/container-docker.ts'
  );
  const found = await listRunContainers();
  const live = found.filter((c) => !flags.all && ownerAlive(c.Labels[LABELS.owner]));
  const stale = found.filter((c) => !live.includes(c));
  await removeContainers(stale.map((c) => c.Id));
  for (const c of stale) {
    say(`removed ${c.Id.slice(0, 12)} ${c.Labels[LABELS.role]} of run ${c.Labels[LABELS.run]}`);
  }
  for (const c of live) {
    say(`kept ${c.Id.slice(0, 12)}: run ${c.Labels[LABELS.run]} is still going (--all removes it)`);
  }
  say(`clean: ${stale.length} container(s) removed, ${live.length} kept`);

  if (flags.images) {
    const client = await docker();
    const images = await client.container.dockerode.listImages({
      filters: { label: [LABELS.image] },
    });
    for (const image of images) {
      // An image a container still uses stays; the next clean gets it.
      await client.container.dockerode
        .getImage(image.Id)
        .remove({ force: false })
        .then(() => say(`removed image ${image.RepoTags?.join(', ') || image.Id}`))
        .catch((err: Error) => say(`kept image ${image.Id.slice(7, 19)}: ${err.message}`));
    }
  }
  return EXIT.OK;
}

export function registerClean(program: Command, exit: (code: number) => void): void {
  program
    .command('clean')
    .description('remove containers that earlier container runs left behind')
    .option('--all', 'also remove containers of runs that are still going', false)
    .option('--images', 'also remove the images the harness built (they rebuild on use)', false)
    .action(async (flags: CleanFlags) =>
      exit(await clean(flags, (line) => process.stderr.write(`${line}\n`))),
    );
}
