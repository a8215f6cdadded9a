#!/usr/bin/env node
// Production runs the compiled CLI (dist/, built by `npm run build`). A checkout that was never
// built falls back to the TypeScript sources through tsx, a development dependency; in
// development prefer `npm run cli`, which always runs the sources.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
