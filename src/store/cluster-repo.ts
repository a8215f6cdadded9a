import type { Kysely } from 'kysely';
import { nowIso } from './clock.ts';
import type { ClusterRow, ConnectionRow, Database } from './tables.ts';

export function clusterRepo(db: Kysely<Database>) {
  return {
    list(): Promise<ClusterRow[]> {
      return db.selectFrom('cluster').selectAll().orderBy('name').execute();
    },
    findById(id: number): Promise<ClusterRow | undefined> {
      return db.selectFrom('cluster').selectAll().where('id', '=', id).executeTakeFirst();
    },
    findByName(name: string): Promise<ClusterRow | undefined> {
      return db.selectFrom('cluster').selectAll().where('name', '=', name).executeTakeFirst();
    },
    /** The cluster's connections in member order. */
    members(clusterId: number): Promise<ConnectionRow[]> {
      return db
        .selectFrom('cluster_member')
        .innerJoin('connection', 'connection.id', 'cluster_member.connection_id')
        .selectAll('connection')
        .where('cluster_member.cluster_id', '=', clusterId)
        .orderBy('cluster_member.position')
        .execute();
    },
    async insert(name: string): Promise<number> {
      const row = await db
        .insertInto('cluster')
        .values({ name, created_at: nowIso() })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async setMembers(clusterId: number, connectionIds: number[]): Promise<void> {
      await db.deleteFrom('cluster_member').where('cluster_id', '=', clusterId).execute();
      if (connectionIds.length === 0) return;
      await db
        .insertInto('cluster_member')
        .values(
          connectionIds.map((connectionId, position) => ({
            cluster_id: clusterId,
            connection_id: connectionId,
            position,
          })),
        )
        .execute();
    },
    async delete(id: number): Promise<void> {
      await db.deleteFrom('cluster').where('id', '=', id).execute();
    },
    async countReports(clusterId: number): Promise<number> {
      const row = await db
        .selectFrom('report')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('cluster_id', '=', clusterId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
