/** Clusters: named, ordered sets of connections that reports run on. */
import { z } from 'zod';
import { badRequest, conflict, notFound } from '../errors.ts';
import { clusterRepo } from '../store/cluster-repo.ts';
import { connectionRepo } from '../store/connection-repo.ts';
import { type ChangeOptions, inTransaction, type StoreHandle } from '../store/transactions.ts';
import type { AuditService } from './audit.ts';
import type { RequestContext } from './request-context.ts';
import { requireAdmin } from './role-guard.ts';

export const clusterInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  connections: z.array(z.string().min(1)).min(1, 'a cluster needs at least one connection'),
});
export type ClusterInput = z.input<typeof clusterInputSchema>;
export interface ClusterView {
  id: number;
  name: string;
  connections: string[];
}

interface Deps {
  db: StoreHandle;
  audit: AuditService;
}

export function clusterService({ db, audit }: Deps) {
  const clusters = clusterRepo(db);
  async function view(id: number, name: string, handle = db): Promise<ClusterView> {
    const members = await clusterRepo(handle).members(id);
    return { id, name, connections: members.map((member) => member.name) };
  }

  return {
    /** Clusters name connections, an admin matter: admins only. */
    async list(ctx: RequestContext): Promise<ClusterView[]> {
      requireAdmin(ctx);
      return Promise.all((await clusters.list()).map((row) => view(row.id, row.name)));
    },
    async get(ctx: RequestContext, name: string): Promise<ClusterView> {
      requireAdmin(ctx);
      const row = await clusters.findByName(name);
      if (!row) throw notFound(`No cluster named "${name}"`);
      return view(row.id, row.name);
    },
    /** Creates, or with `replace` redefines, a cluster by name: the row, its members and the audit together. */
    async save(
      ctx: RequestContext,
      raw: ClusterInput,
      options: { replace?: boolean } & ChangeOptions = {},
    ): Promise<ClusterView> {
      const input = clusterInputSchema.parse(raw);
      return inTransaction(options.within ?? db, async (trx) => {
        const ids: number[] = [];
        for (const name of input.connections) {
          const connection = await connectionRepo(trx).findByName(name);
          if (!connection) throw badRequest(`Cluster "${input.name}": no connection named "${name}"`);
          ids.push(connection.id);
        }
        const rows = clusterRepo(trx);
        const existing = await rows.findByName(input.name);
        if (existing && !options.replace) throw conflict(`A cluster named "${input.name}" already exists`);
        const id = existing?.id ?? (await rows.insert(input.name));
        await rows.setMembers(id, ids);
        await audit.on(trx).adminChange(ctx, existing ? 'cluster.update' : 'cluster.create', input);
        return view(id, input.name, trx);
      });
    },
    async delete(ctx: RequestContext, name: string): Promise<void> {
      await inTransaction(db, async (trx) => {
        const rows = clusterRepo(trx);
        const row = await rows.findByName(name);
        if (!row) throw notFound(`No cluster named "${name}"`);
        const used = await rows.countReports(row.id);
        if (used > 0) throw conflict(`The cluster "${name}" is used by ${used} report(s); move them first`);
        await rows.delete(row.id);
        await audit.on(trx).adminChange(ctx, 'cluster.delete', { name });
      });
    },
  };
}

export type ClusterService = ReturnType<typeof clusterService>;
