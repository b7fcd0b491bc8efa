#!/usr/bin/env node
// `homolab` entry point: registers tsx (TypeScript at run time, no build step) and runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Let stdout drain before exiting with the documented code.
process.exitCode = code;
