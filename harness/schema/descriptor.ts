import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

export const PROTO_PATH = fileURLToPath(
  new URL('../../fixtures/conformance.proto', import.meta.url),
);
export const DESCRIPTOR_PATH = fileURLToPath(
  new URL('../../fixtures/conformance.descriptor.pb', import.meta.url),
);

export function encodeDescriptorSet(): Uint8Array {
  const root = new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true });
  // protobufjs names the file after the path it was loaded from; pin it so the
  // output does not depend on where the repository is checked out.
  const set = (root as unknown as { toDescriptor(syntax: string): protobuf.Message }).toDescriptor(
    'proto3',
  );
  const obj = descriptor.FileDescriptorSet.toObject(set) as { file: { name?: string }[] };
  for (const file of obj.file) file.name = 'conformance.proto';
  return descriptor.FileDescriptorSet.encode(descriptor.FileDescriptorSet.fromObject(obj)).finish();
}
