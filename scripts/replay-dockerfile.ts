/**
 * Replays the Dockerfile without a Docker engine: a clean clone of HEAD as the build context, one
 * folder per stage standing for its file system, each WORKDIR/ENV/COPY/RUN/USER in order, then the
 * runtime stage's CMD started as an unprivileged user and probed on /healthz, /readyz and the web
 * app. An instruction it does not know fails the replay, so the Dockerfile cannot drift from it.
 * Run by .ci/run: `npx tsx scripts/replay-dockerfile.ts` (REPLAY_KEEP=1 keeps the folder).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDockerfile, type Stage } from './dockerfile-parse.ts';
import { probeRuntime } from './replay-probe.ts';
import { copyInstruction, type ReplayState, runInstruction } from './replay-steps.ts';

const repo = path.resolve(fileURLToPath(import.meta.url), '../..');

function replayStage(stage: Stage, index: number, state: ReplayState) {
  const root = path.join(state.tmp, `stage-${stage.name ?? index}`);
  mkdirSync(root, { recursive: true });
  const current = {
    root,
    workdir: '/',
    env: {} as Record<string, string>,
    user: 'root',
    cmd: [] as string[],
  };
  state.stages.set(stage.name ?? String(index), current);
  for (const instruction of stage.instructions) {
    const started = Date.now();
    const { keyword, args } = instruction;
    if (keyword === 'WORKDIR') {
      current.workdir = path.posix.resolve(current.workdir, args);
      mkdirSync(path.join(root, current.workdir), { recursive: true });
    } else if (keyword === 'ENV') {
      const [name, ...value] = args.split('=');
      if (!name || value.length === 0) throw new Error(`line ${instruction.line}: ENV needs NAME=value`);
      current.env[name] = value.join('=');
    } else if (keyword === 'COPY') copyInstruction(args, current, state);
    else if (keyword === 'RUN') runInstruction(args, current, state);
    else if (keyword === 'USER') current.user = args;
    else if (keyword === 'CMD') current.cmd = JSON.parse(args) as string[];
    else if (!['VOLUME', 'EXPOSE', 'HEALTHCHECK'].includes(keyword)) {
      throw new Error(`line ${instruction.line}: the replay does not know ${keyword}; teach it`);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`[${stage.name ?? index}] ${keyword} ${args}  (${seconds}s)`);
  }
  return current;
}

async function main() {
  const started = Date.now();
  const tmp = mkdtempSync(path.join(tmpdir(), 'sr-replay-'));
  chmodSync(tmp, 0o755); // the unprivileged server user must reach the runtime folder
  const context = path.join(tmp, 'context');
  execFileSync('git', ['clone', '--quiet', repo, context]);
  const state: ReplayState = { tmp, context, repo, stages: new Map() };
  try {
    const stages = parseDockerfile(readFileSync(path.join(context, 'Dockerfile'), 'utf8'));
    let runtime: ReturnType<typeof replayStage> | undefined;
    stages.forEach((stage, index) => {
      runtime = replayStage(stage, index, state);
    });
    await probeRuntime(runtime!, state);
    console.log(`Dockerfile replay passed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  } finally {
    if (!process.env.REPLAY_KEEP) rmSync(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
