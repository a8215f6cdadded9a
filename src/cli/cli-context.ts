/**
 * What every CLI command gets: where its output goes, the environment it was started with, and
 * the app (store and services, no listening server). Passed in rather than taken from `process`,
 * so a test runs a command inside its own process.
 */
import { type App, buildApp } from '../app.ts';
import { type Config, loadConfig } from '../config.ts';
import { AppError, statusOfCode } from '../errors.ts';

/** The slice of a stream the CLI writes to (process.stdout, or a buffer in tests). */
export interface TextOut {
  write(text: string): unknown;
}

/** The process around a command: its output streams, environment and (for secrets) input. */
export interface CliIo {
  stdout: TextOut;
  stderr: TextOut;
  /** The variables src/config.ts reads; only these reach the command. */
  env: Readonly<Record<string, string | undefined>>;
  /** Read by `--password-stdin`; none means empty input. */
  stdin?: AsyncIterable<string | Uint8Array>;
}

/** A command's view of its run: print lines, read input, load the config, open the app. */
export interface CliContext {
  /** Writes a line (with its newline) to standard output. */
  print(line: string): void;
  /** Writes text as it is to standard output (an exported bundle). */
  write(text: string): void;
  /** Standard input as text, the final newline removed. */
  readInput(): Promise<string>;
  /** The server's configuration from the command's environment, with its logs quiet. */
  config(): Readonly<Config>;
  /** Runs work against an app built from config(), closed afterwards whatever happens. */
  withApp<T>(work: (app: App) => Promise<T>): Promise<T>;
}

export function cliContext(io: CliIo): CliContext {
  const config = () => loadConfig({ LOG_LEVEL: 'silent', ...io.env });
  return {
    print: (line) => io.stdout.write(`${line}\n`),
    write: (text) => io.stdout.write(text),
    async readInput() {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin ?? []) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, '');
    },
    config,
    async withApp(work) {
      // A command is short-lived: it must not arm schedules or work their ticks.
      const app = await buildApp(config(), { jobs: false });
      try {
        return await work(app);
      } finally {
        await app.close();
      }
    },
  };
}

/** Exit codes: 2 for bad input, 3 for not found or conflict, 1 for anything else. */
export function exitCodeOf(error: unknown): number {
  // A service's zod schema refusing an argument is bad input, as over HTTP (400).
  if (error instanceof Error && error.name === 'ZodError') return 2;
  if (!(error instanceof AppError)) return 1;
  const status = statusOfCode[error.code];
  if (status === 404 || status === 409) return 3;
  return status < 500 ? 2 : 1;
}
