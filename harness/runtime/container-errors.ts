// Every way the container runtime can fail before a cell runs, as one class
// with a stable code and a sentence that says what to do. It is a SetupError,
// so the CLI prints it and exits with status 2.
import { SetupError } from '../setup.ts';

export type ContainerErrorCode =
  | 'DOCKER_UNAVAILABLE'
  | 'IMAGE_BUILD_FAILED'
  | 'IMAGE_MISSING'
  | 'CONTAINER_START_FAILED'
  | 'CONTAINER_EXITED'
  | 'ENGINE_NOT_READY';

export class ContainerError extends SetupError {
  override readonly name = 'ContainerError';

  constructor(
    readonly reason: ContainerErrorCode,
    message: string,
    /** The last lines of the build or container log, shown under the message. */
    readonly logTail: readonly string[] = [],
  ) {
    super(logTail.length > 0 ? `${message}\n--- log tail ---\n${logTail.join('\n')}` : message);
  }
}

export function dockerUnavailable(cause: string): ContainerError {
  return new ContainerError(
    'DOCKER_UNAVAILABLE',
    `no Docker daemon answered (${cause}); start one (here: scripts/docker-setup.sh) ` +
      'or set DOCKER_HOST, or use --runtime process',
  );
}
