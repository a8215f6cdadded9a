/**
 * The CLI run inside the test's process (src/cli/run-cli.ts), with its output captured: the same
 * commands and exit codes as the binary, without starting Node and tsx for every command.
 * test/integration/cli-binary.test.ts keeps one run of the real binary.
 */
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs one command with exactly `env` as its environment (no inherited variables). */
export async function cli(
  args: readonly string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env,
    stdin: stdin === undefined ? undefined : Readable.from([stdin]),
  });
  return { code, out, err };
}
