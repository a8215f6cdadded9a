/**
 * The privilege check: a report database user that can reach the server's files or programs, or
 * write, undoes the read-only guarantees from the database side (`COPY … TO PROGRAM`,
 * `pg_read_file()`, `SELECT … INTO OUTFILE`, `LOAD_FILE()` work inside a read-only transaction).
 * Every pool asks its driver (`DataSource.privileges()`) before its first statement and refuses to
 * run for such a user, unless the connection says `allow_privileged_user: true` (an admin-only,
 * audited setting).
 */
import { z } from 'zod';
import { AppError, type ErrorCode } from '../errors.ts';
import type { ConfigField, DataSource, RunRequest } from './driver.ts';

/** The setting, in every network driver's config schema. A string "true" is refused, not coerced. */
export const allowPrivilegedShape = { allow_privileged_user: z.boolean().optional() };

export const allowPrivilegedField: ConfigField = {
  name: 'allow_privileged_user',
  label: 'Allow a privileged database user (superuser, file access, write grants); admins only, audited',
};

/** Whether raw (unvalidated) settings carry the explicit opt-out. */
export function allowsPrivilegedUser(settings: unknown): boolean {
  return (settings as { allow_privileged_user?: unknown } | null)?.allow_privileged_user === true;
}

/**
 * The refusal, naming the connection and what was found.
 * `code` is `bad_request` when an admin saves the connection, `forbidden` when something runs on it.
 */
export function privilegedUserError(
  name: string | undefined,
  findings: string[],
  code: ErrorCode = 'forbidden',
): AppError {
  const connection = name ? `The connection "${name}"` : 'The connection';
  return new AppError(
    code,
    `${connection} signs in as ${findings.join(', ')}; create a read-only user (docs/security.md) or set allow_privileged_user`,
  );
}

/**
 * Wraps a pool so that its first `test()` or `run()` waits for the privilege probe, and every one
 * is refused when the probe found something and the connection does not allow it. The verdict is
 * kept for the pool's life (a pool reopens when its connection is saved); a probe that failed
 * (server unreachable) is tried again on the next use.
 */
export function guardPrivileges(
  source: DataSource,
  options: { name?: string; allowPrivilegedUser: boolean },
): DataSource {
  let verdict: Promise<void> | undefined;
  const check = (): Promise<void> => {
    verdict ??= source.privileges().then(
      (findings) => {
        if (findings.length > 0 && !options.allowPrivilegedUser) {
          throw privilegedUserError(options.name, findings);
        }
      },
      (error: unknown) => {
        verdict = undefined;
        throw error;
      },
    );
    return verdict;
  };
  async function* run(request: RunRequest) {
    await check();
    yield* source.run(request);
  }
  return {
    driver: source.driver,
    async test() {
      await check();
      await source.test();
    },
    run,
    privileges: () => source.privileges(),
    poolStats: () => source.poolStats(),
    close: () => source.close(),
  };
}
