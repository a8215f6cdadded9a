/**
 * `npm run build:server`, last step: the compiled server entry (`dist/main.js`, from tsc) becomes
 * one file holding the server's own modules and the pure-JavaScript packages every start needs
 * (Fastify, Kysely, zod, pino, …). Node then reads one file at start instead of about a thousand
 * small ES modules, which is most of what start-up cost (issue 11). The rest of `dist/` (the CLI)
 * stays as tsc wrote it.
 *
 * Packages stay outside the bundle when they are native addons, when the server loads them only
 * at first use (bundled, they would be parsed at every start), or when the server also reaches
 * into their files by path (one copy must serve both).
 */
import { renameSync } from 'node:fs';
import { build } from 'esbuild';

const OUTSIDE = [
  // Native addons.
  'better-sqlite3',
  '@node-rs/argon2',
  // Loaded at first use: a driver's first pool, the first sign-in, bundle, mail, XLSX or schedule.
  'mysql2',
  'pg',
  'pg-cursor',
  'pg-boss',
  'openid-client',
  'exceljs',
  'yaml',
  'diff',
  'nodemailer',
  '@fastify/swagger',
  // Their files are also required by path (nunjucks' transformer, prom-client's instruments).
  'nunjucks',
  'prom-client',
];

const entry = 'dist/main.js';
const bundled = 'dist/main.bundle.js';
await build({
  entryPoints: [entry],
  outfile: bundled,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: OUTSIDE.flatMap((name) => [name, `${name}/*`]),
  // CommonJS packages inside an ES module bundle call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
renameSync(bundled, entry);
