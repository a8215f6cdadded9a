/** What every CLI command gets: the app (store and services, no listening server) and a way out. */
import { type App, buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { AppError, statusOfCode } from '../errors.ts';

/** The configuration a command runs with: the server's, with its logs quiet. */
export const cliConfig = () => loadConfig({ LOG_LEVEL: 'silent', ...process.env });

export async function withApp<T>(work: (app: App) => Promise<T>): Promise<T> {
  // A command is short-lived: it must not arm schedules or work their ticks.
  const app = await buildApp(cliConfig(), { jobs: false });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
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
