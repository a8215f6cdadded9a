/**
 * A fleet as production runs it: N real server processes on one PostgreSQL metadata database,
 * all with the same SECRET_KEY, HAProxy in front. Scenarios get the pieces and add their own
 * load (a later one may restart PostgreSQL under it); the database URL is the caller's.
 */
import { type Haproxy, startHaproxy } from './haproxy.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

/** Every instance of one deployment shares the key, or sealed secrets cannot be opened. */
export const FLEET_SECRET_KEY = 'fleet-key-'.padEnd(48, 'k');

export interface Fleet {
  databaseUrl: string;
  instances: ServerProcess[];
  balancer: Haproxy;
  /** The demo admin token, printed by the first instance (the one that sets the demo up). */
  adminHeader: string;
  stop(): Promise<void>;
}

export interface FleetOptions {
  databaseUrl: string;
  size?: number;
  env?: Record<string, string>;
}

export async function startFleet({ databaseUrl, size = 3, env = {} }: FleetOptions): Promise<Fleet> {
  const common = {
    DATABASE_URL: databaseUrl,
    SECRET_KEY: FLEET_SECRET_KEY,
    TRUST_PROXY: 'true',
    ALLOW_PRIVATE_TARGETS: 'true',
    ...env,
  };
  const instances: ServerProcess[] = [];
  let balancer: Haproxy | undefined;
  const stop = async () => {
    await balancer?.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
  };
  try {
    // The first migrates the fresh database and sets the demo up; the rest join it.
    instances.push(await startServerProcess(common));
    const rest = Array.from({ length: size - 1 }, () => startServerProcess({ ...common, DEMO: 'false' }));
    const settled = await Promise.allSettled(rest);
    for (const started of settled) if (started.status === 'fulfilled') instances.push(started.value);
    const failed = settled.find((started) => started.status === 'rejected');
    if (failed) throw failed.reason;
    balancer = await startHaproxy(instances.map((instance) => instance.url));
  } catch (error) {
    await stop();
    throw error;
  }
  const adminHeader = instances[0]?.adminHeader ?? '';
  return { databaseUrl, instances, balancer, adminHeader, stop };
}
