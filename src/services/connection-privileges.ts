/**
 * The privilege probe as the connection service uses it: at save (on the settings being saved)
 * and at test (on the stored ones), recorded on the connection row so the connection list shows
 * a privileged database user. Pools run the same probe before their first statement
 * (datasources/privilege-check.ts); that is the check no path can skip.
 */
import type { DataSource, DriverName } from '../datasources/driver.ts';
import { privilegedUserError } from '../datasources/privilege-check.ts';
import { openDataSource } from '../datasources/registry.ts';
import { AppError } from '../errors.ts';
import { nowIso } from '../store/clock.ts';

export interface PrivilegeCheck {
  checked_at: string;
  /** Phrases completing "signs in as …"; empty for a read-only user. */
  findings: string[];
  /** Why the probe could not ask the server (then `findings` is empty and means "unknown"). */
  error?: string;
}

/** Asks an open pool; a failure to connect is recorded, not thrown. */
export async function probe(source: DataSource): Promise<PrivilegeCheck> {
  try {
    return { checked_at: nowIso(), findings: await source.privileges() };
  } catch (error) {
    const message = error instanceof AppError ? error.message : 'the probe failed';
    return { checked_at: nowIso(), findings: [], error: message };
  }
}

/** Opens a one-connection pool on settings not saved yet, probes, and closes it. */
export async function probeSettings(
  driver: DriverName,
  settings: Record<string, unknown>,
  options: { name: string; statementTimeoutMs: number },
): Promise<PrivilegeCheck> {
  const source = openDataSource(driver, settings, { poolSize: 1, ...options });
  try {
    return await probe(source);
  } finally {
    await source.close().catch(() => {});
  }
}

/** @throws AppError (`code`) naming the connection and the findings, unless they are allowed. */
export function refuseUnlessAllowed(
  name: string,
  check: PrivilegeCheck,
  allowed: boolean,
  code: 'bad_request' | 'forbidden',
): void {
  if (check.findings.length > 0 && !allowed) throw privilegedUserError(name, check.findings, code);
}

/** The stored JSON as the API shows it, with `privileged` spelled out for UIs. */
export function presentPrivilegeCheck(json: string | null) {
  if (!json) return null;
  const check = JSON.parse(json) as PrivilegeCheck;
  return { ...check, privileged: check.findings.length > 0 };
}
