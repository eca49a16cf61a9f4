import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder, found the same way from sources (tests) and from dist/ (the CLI). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'scenarios'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the HyperFactory project folder');
    dir = up;
  }
  return dir;
}
