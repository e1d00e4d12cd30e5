// Writes fixtures/conformance.descriptor.pb, the binary FileDescriptorSet of
// fixtures/conformance.proto. Python and Rust workers load it with their
// protobuf runtimes instead of needing protoc, so the schema is still
// defined once. test/fixtures.test.ts fails when this output is stale.
import { writeFileSync } from 'node:fs';
import { DESCRIPTOR_PATH, encodeDescriptorSet, PROTO_PATH } from '../harness/schema/descriptor.ts';

writeFileSync(DESCRIPTOR_PATH, encodeDescriptorSet());
console.log(`wrote ${DESCRIPTOR_PATH} from ${PROTO_PATH}`);
