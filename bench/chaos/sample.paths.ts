import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root and the built sample app, found by walking up from this file: the same from
 * `bench/chaos/` and from wherever the build put its compiled copy.
 */
export function samplePaths(from = dirname(fileURLToPath(import.meta.url))): { root: string; sampleEntry: string } {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'sample-app', 'package.json'))) {
      const sampleEntry = join(dir, 'sample-app', 'dist', 'main.js');
      if (!existsSync(sampleEntry)) throw new Error(`${sampleEntry} does not exist: build the sample first (npm run build)`);
      return { root: dir, sampleEntry };
    }
    if (dirname(dir) === dir) throw new Error(`no sample-app/ found above ${from}`);
  }
}
