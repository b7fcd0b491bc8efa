#!/usr/bin/env node
// `homolab`: runs the prebuilt CLI in dist/cli (built by `npm ci`'s prepare step, or
// `npm run build:cli`). Where that build is missing, or older than the sources it was built
// from (a development checkout after an edit or a merge), it is rebuilt first — esbuild takes
// about a second, and one line on stderr says so. Only where it cannot be built (no esbuild)
// does the CLI run from its TypeScript sources through tsx, which starts slowly.
// HOMOLAB_CLI_FROM_SOURCE=1 forces the sources (for debugging with their line numbers).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCli, CLI_DIST, staleness } from '../scripts/build-cli.mjs';

async function fromSource() {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/entry.ts');
}

if (process.env.HOMOLAB_CLI_FROM_SOURCE === '1') await fromSource();
else {
  const why = staleness();
  let ready = why === null;
  if (!ready) {
    process.stderr.write(`homolab: building the CLI into dist/cli (${why})…\n`);
    try {
      await buildCli();
      ready = true;
    } catch (err) {
      process.stderr.write(
        `homolab: could not build the CLI (${String(err?.message ?? err).split('\n')[0]}); ` +
          'running from the TypeScript sources\n',
      );
    }
  }
  if (ready) await import(pathToFileURL(join(CLI_DIST, 'homolab.js')).href);
  else await fromSource();
}
