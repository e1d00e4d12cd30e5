// The Docker daemon as the container runtime sees it: testcontainers' client
// (and the dockerode handle it carries), the labels every container of a run
// wears, and the look-ups `clean` and the tests need.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ContainerInfo } from 'dockerode';
import { type ContainerRuntimeClient, getContainerRuntimeClient } from 'testcontainers';
import { dockerUnavailable } from './container-errors.ts';

/** Every container the harness starts carries these labels. */
export const LABELS = {
  run: 'org.iii-conformance.run',
  role: 'org.iii-conformance.role',
  owner: 'org.iii-conformance.owner',
  /** set on the images the harness builds, with the content hash */
  image: 'org.iii-conformance.image',
} as const;

/** host:pid of this harness, so `clean` can tell a live run from a leftover. */
export const OWNER = `${hostname()}:${process.pid}`;

// The reaper (Ryuk) is an image pulled from a registry, which this machine
// does not have; the harness removes its own containers instead. Without the
// override, testcontainers guesses the host, which inside a container means
// the default bridge's gateway: the harness must never talk to that address.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

let connected: Promise<ContainerRuntimeClient> | undefined;

/** testcontainers' client, or DOCKER_UNAVAILABLE saying where it looked. */
export function docker(): Promise<ContainerRuntimeClient> {
  connected ??= getContainerRuntimeClient().catch((err: Error) => {
    connected = undefined;
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    const missing = !process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock');
    throw dockerUnavailable(`${where}${missing ? ' does not exist' : `: ${err.message}`}`);
  });
  return connected;
}

export function runLabels(runId: string, role: string): Record<string, string> {
  return { [LABELS.run]: runId, [LABELS.role]: role, [LABELS.owner]: OWNER };
}

/** Containers of one run, or of every run when runId is undefined; stopped ones too. */
export async function listRunContainers(runId?: string): Promise<ContainerInfo[]> {
  const client = await docker();
  const label = runId === undefined ? LABELS.run : `${LABELS.run}=${runId}`;
  return client.container.dockerode.listContainers({ all: true, filters: { label: [label] } });
}

/** Force-removes containers; one already gone counts as removed. */
export async function removeContainers(ids: readonly string[]): Promise<void> {
  const client = await docker();
  await Promise.all(
    ids.map((id) =>
      client.container.dockerode
        .getContainer(id)
        .remove({ force: true })
        .catch((err: { statusCode?: number }) => {
          // 404: gone; 409: removal already in progress (AutoRemove).
          if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
        }),
    ),
  );
}

/** Whether the harness that started a container still runs here. */
export function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const [host, pid] = owner.split(':');
  if (host !== hostname()) return true; // another machine's: not ours to judge
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}
