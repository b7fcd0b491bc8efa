/**
 * The folder of this package (where package.json, renderer/ and bench/ are), found from the
 * running module whether it runs from src/cli (tsx, tests) or from the bundle in dist/cli.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'homolab'
    )
      return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the homolab package folder');
    dir = up;
  }
}
