// The Docker daemon as the container runtime sees it: testcontainers' client
// (and the dockerode handle it carries), the labels every container of a run
// wears, and the look-ups `clean` and the tests need.
import { request } from 'node:http';
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
  connected ??= (async () => {
    await ping();
    return getContainerRuntimeClient().catch((err: Error) => {
      throw dockerUnavailable(`${daemonAddress()}: ${err.message}`);
    });
  })();
  connected.catch(() => {
    connected = undefined;
  });
  return connected;
}

function daemonAddress(): string {
  return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/**
 * GET /_ping at DOCKER_HOST or the default socket. testcontainers would try
 * the default socket after a DOCKER_HOST that fails; a user who names a daemon
 * means that one, so it is checked first. TLS hosts are left to testcontainers.
 */
function ping(): Promise<void> {
  const address = daemonAddress();
  const url = new URL(address);
  if (process.env.DOCKER_TLS_VERIFY || !['unix:', 'tcp:'].includes(url.protocol)) {
    return Promise.resolve();
  }
  const target =
    url.protocol === 'unix:'
      ? { socketPath: address.slice('unix://'.length) }
      : { host: url.hostname, port: Number(url.port || 2375) };
  return new Promise((resolve, reject) => {
    const req = request({ ...target, path: '/_ping', timeout: 5000 }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(dockerUnavailable(`${address} answered /_ping with ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5000 ms')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'the socket does not exist' : err.message;
      reject(dockerUnavailable(`${address}: ${why}`));
    });
    req.end();
  });
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
