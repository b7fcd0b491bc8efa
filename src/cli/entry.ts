/**
 * The `homolab` process: runs the CLI on the command line and leaves with its exit code. The
 * entry of the prebuilt bundle (dist/cli/homolab.js, scripts/build-cli.mjs) and, in a checkout
 * without esbuild, of the TypeScript fallback in bin/homolab.js.
 */
import { main } from './main';

// exitCode, not exit(): stdout may still be draining into a pipe.
process.exitCode = await main(process.argv.slice(2));
