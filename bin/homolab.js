#!/usr/bin/env node
// `homolab`: runs the prebuilt CLI in dist/cli (built by `npm ci`'s prepare step, or
// `npm run build:cli`). Where that build is missing, or older than the sources it was built
// from (a development checkout after an edit or a merge), it is rebuilt first — esbuild takes
// about a second, and one line on stderr says so. Only where it cannot be built (no esbuild)
// does the CLI run from its TypeScript sources through tsx, which starts slowly.
// HOMOLAB_CLI_FROM_SOURCE=1 forces the sources (for debugging with their line numbers).
import { existsSync, readFileSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const bundle = new URL('dist/cli/homolab.js', root);
const info = new URL('dist/cli/build-info.json', root);

/** Why the bundle cannot be used as it is, or null when it can. */
function staleness() {
  if (!existsSync(bundle) || !existsSync(info)) return 'it is not built yet';
  let built;
  try {
    built = JSON.parse(readFileSync(info, 'utf8'));
  } catch {
    return 'its build info is unreadable';
  }
  for (const input of built.inputs) {
    // An installed package ships no sources: nothing to compare with.
    const mtime = statSync(new URL(input, root), { throwIfNoEntry: false })?.mtimeMs;
    if (mtime !== undefined && mtime > built.builtAt) return `${input} changed`;
  }
  return null;
}

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
      const { buildCli } = await import('../scripts/build-cli.mjs');
      await buildCli();
      ready = true;
    } catch (err) {
      process.stderr.write(
        `homolab: could not build the CLI (${String(err?.message ?? err).split('\n')[0]}); ` +
          'running from the TypeScript sources\n',
      );
    }
  }
  if (ready) await import(bundle.href);
  else await fromSource();
}
