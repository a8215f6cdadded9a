/** Clusters: named, ordered sets of connections that reports run on. */
import { z } from 'zod';
import { badRequest, conflict, notFound } from '../errors.ts';
import type { clusterRepo } from '../store/cluster-repo.ts';
import type { connectionRepo } from '../store/connection-repo.ts';
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
  clusters: ReturnType<typeof clusterRepo>;
  connections: ReturnType<typeof connectionRepo>;
  audit: AuditService;
}

export function clusterService({ clusters, connections, audit }: Deps) {
  async function view(id: number, name: string): Promise<ClusterView> {
    return { id, name, connections: (await clusters.members(id)).map((member) => member.name) };
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
    /** Creates, or with `replace` redefines, a cluster by name. */
    async save(
      ctx: RequestContext,
      raw: ClusterInput,
      options: { replace?: boolean } = {},
    ): Promise<ClusterView> {
      const input = clusterInputSchema.parse(raw);
      const ids: number[] = [];
      for (const name of input.connections) {
        const connection = await connections.findByName(name);
        if (!connection) throw badRequest(`Cluster "${input.name}": no connection named "${name}"`);
        ids.push(connection.id);
      }
      const existing = await clusters.findByName(input.name);
      if (existing && !options.replace) throw conflict(`A cluster named "${input.name}" already exists`);
      const id = existing?.id ?? (await clusters.insert(input.name));
      await clusters.setMembers(id, ids);
      await audit.adminChange(ctx, existing ? 'cluster.update' : 'cluster.create', input);
      return view(id, input.name);
    },
    async delete(ctx: RequestContext, name: string): Promise<void> {
      const row = await clusters.findByName(name);
      if (!row) throw notFound(`No cluster named "${name}"`);
      const used = await clusters.countReports(row.id);
      if (used > 0) throw conflict(`The cluster "${name}" is used by ${used} report(s); move them first`);
      await clusters.delete(row.id);
      await audit.adminChange(ctx, 'cluster.delete', { name });
    },
  };
}

export type ClusterService = ReturnType<typeof clusterService>;
