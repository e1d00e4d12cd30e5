#!/usr/bin/env node
// Entry point. `npm ci` installs Node 24 into node_modules/.bin, which npx and
// npm scripts put first on PATH; a bare older `node` gets a clear message.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `iii-conformance needs Node 22.12 or newer; this is Node ${process.versions.node}.\n` +
      'Run it through npx from the project folder (npm ci installs Node 24 locally),\n' +
      'or install a current Node LTS.\n',
  );
  process.exit(2);
}
// `iii-conformance list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { register } = await import('tsx/esm/api');
register();
await import('../harness/cli.ts');
