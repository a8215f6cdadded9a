/**
 * The Dockerfile instructions that touch files, replayed in a folder standing for each stage's
 * file system: container paths `/x` become `<stage folder>/x`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface StageState {
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string;
  cmd: string[];
}

export interface ReplayState {
  tmp: string;
  context: string;
  /** The checkout the replay was started from; lends its compiled native addon. */
  repo: string;
  stages: Map<string, StageState>;
}

/** The image's unprivileged `node` user stands for this machine's `nobody` when run as root. */
export const replayUser = () => (process.getuid?.() === 0 ? { user: 'nobody', group: 'nogroup' } : undefined);

/** `/data` → `<root>/data`; relative paths are taken from the stage's WORKDIR. */
const inStage = (stage: StageState, p: string) => path.join(stage.root, path.posix.resolve(stage.workdir, p));

/** .dockerignore patterns as tests on a path relative to the context. */
function ignoredBy(context: string): (relative: string) => boolean {
  const file = path.join(context, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'))
    : [];
  const toRegExp = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]]/g, '\\$&')
        .replace(/\*\*\//g, '(.*/)?')
        .replace(/\*/g, '[^/]*')}(/.*)?$`,
    );
  const rules = patterns.map(toRegExp);
  return (relative) => rules.some((rule) => rule.test(relative));
}

export function copyInstruction(args: string, stage: StageState, state: ReplayState) {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  const dest = paths.pop()!;
  const source = from ? state.stages.get(from) : undefined;
  if (from && !source) throw new Error(`COPY --from=${from}: no such stage`);
  const ignored = ignoredBy(state.context);
  for (const item of paths) {
    const src = source ? inStage(source, item) : path.join(state.context, item);
    // `COPY a b ./` puts each into the folder; `COPY dir ./x` and `COPY . .` copy contents.
    const intoFolder = paths.length > 1 || (dest.endsWith('/') && item !== '.');
    const target = inStage(stage, intoFolder ? path.posix.join(dest, path.basename(item)) : dest);
    mkdirSync(path.dirname(target), { recursive: true });
    const filter = (file: string) => source !== undefined || !ignored(path.relative(state.context, file));
    cpSync(src, target, { recursive: true, filter });
  }
}

const ADDON = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
const addonVersion = (dir: string) =>
  (
    JSON.parse(readFileSync(path.join(dir, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

/**
 * `npm ci` compiles better-sqlite3 from source here (no prebuilt download without GitHub), which
 * takes minutes on a small machine. Unless REPLAY_COMPILE=1, install without scripts and lend the
 * addon this checkout compiled for the same Node and package version; the runtime probe loads it.
 */
function lendsAddon(command: string, state: ReplayState): boolean {
  const fullInstall = /^npm ci( |$)/.test(command) && !command.includes('--omit');
  return fullInstall && !process.env.REPLAY_COMPILE && existsSync(path.join(state.repo, ADDON));
}

export function runInstruction(args: string, stage: StageState, state: ReplayState) {
  const cwd = inStage(stage, '.');
  const who = replayUser();
  // Absolute container paths live under the stage folder; the image's `node` user is ours.
  let command = args.replace(/(^|\s)\/(?=\w)/g, `$1${stage.root}/`);
  command = who
    ? command.replace(/\bnode:node\b/g, `${who.user}:${who.group}`)
    : command.replace(/chown \S+ \S+/g, 'true');
  const lend = lendsAddon(command, state);
  execFileSync('sh', ['-c', lend ? `${command} --ignore-scripts` : command], {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ...stage.env },
  });
  if (lend) {
    if (addonVersion(state.repo) !== addonVersion(cwd)) {
      throw new Error('better-sqlite3 differs from this checkout; set REPLAY_COMPILE=1');
    }
    mkdirSync(path.dirname(path.join(cwd, ADDON)), { recursive: true });
    copyFileSync(path.join(state.repo, ADDON), path.join(cwd, ADDON));
    console.log('  (native addon lent from this checkout; REPLAY_COMPILE=1 compiles it)');
  }
}
