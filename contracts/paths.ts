import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above this module that holds package.json.
 * Works from both `contracts/*.ts` (vitest, tsx) and `dist/contracts/*.js` (after `npm run build`).
 */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'contracts', 'src'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository root (package.json + contracts/src) above ${from}`);
  }
}

export const contractsSrcDir = (root = repoRoot()): string => join(root, 'contracts', 'src');
export const artifactsDir = (root = repoRoot()): string => join(root, 'contracts', 'artifacts');
