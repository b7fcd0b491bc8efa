/** Types of scripts/build-cli.mjs (plain JavaScript so bin/homolab.js can load it as is). */
export const ROOT: string;
export const CLI_DIST: string;
export const BUILD_INFO: string;
export function staleness(outDir?: string): string | null;
export function buildCli(opts?: { outDir?: string }): Promise<{
  ms: number;
  files: string[];
  metafile: import('esbuild').Metafile;
}>;
