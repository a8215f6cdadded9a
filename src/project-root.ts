/**
 * The folder holding the server's package.json (and `web/dist`), found by walking up from this
 * module: the same answer from the sources (`src/`), the compiled files (`dist/`) and the
 * one-file server bundle (`dist/main.js`), whose modules no longer sit at their source depth.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
