/**
 * Bundles (SPEC §8): connections (no secrets on export), clusters, reports, group lists and
 * access groups in one YAML or JSON file. Import is idempotent by name and runs in one transaction:
 * an error names the bad entry and nothing of the bundle is kept.
 */
import { z } from 'zod';
import { AppError, badRequest } from '../errors.ts';
import { lazyRequire } from '../lazy-require.ts';
import { inTransaction, type StoreHandle } from '../store/transactions.ts';
import type { AccessGroupService } from './access-groups.ts';
import type { ClusterService } from './clusters.ts';
import { type ConnectionService, connectionInputSchema } from './connections.ts';
import type { GroupListService } from './group-lists.ts';
import type { ReportService } from './reports.ts';
import type { RequestContext } from './request-context.ts';
import { documentOf } from './version-log.ts';

/** Loaded with the first bundle read or written, not at start-up. */
const yaml = lazyRequire<typeof import('yaml')>('yaml');

const bundleSchema = z.object({
  connections: z.array(z.looseObject({ name: z.string() })).default([]),
  clusters: z.array(z.looseObject({ name: z.string() })).default([]),
  reports: z.array(z.looseObject({ name: z.string() })).default([]),
  group_lists: z.array(z.looseObject({ name: z.string() })).default([]),
  access_groups: z.array(z.object({ table: z.string(), group: z.string(), where: z.string() })).default([]),
});

type ParsedBundle = z.infer<typeof bundleSchema>;
/** A bundle as code builds it (the demo): the newer sections may be left out. */
export type Bundle = Omit<ParsedBundle, 'group_lists' | 'access_groups'> &
  Partial<Pick<ParsedBundle, 'group_lists' | 'access_groups'>>;

export interface BundleServices {
  connections: ConnectionService;
  clusters: ClusterService;
  reports: ReportService;
  groupLists: GroupListService;
  accessGroups: AccessGroupService;
}

export interface ImportSummary {
  connections: number;
  clusters: number;
  reports: number;
  group_lists: number;
  access_groups: number;
}

/** Reads YAML (a superset of JSON) and checks the top-level shape. */
export function parseBundle(text: string): z.infer<typeof bundleSchema> {
  let document: unknown;
  try {
    document = yaml().parse(text);
  } catch (error) {
    throw badRequest(`The bundle is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = bundleSchema.safeParse(document ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`Bundle entry "${issue?.path.join('.') ?? '?'}" is invalid: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

async function each<T extends { name: string }>(
  kind: string,
  entries: T[],
  save: (entry: T) => Promise<unknown>,
) {
  for (const entry of entries) {
    try {
      await save(entry);
    } catch (error) {
      if (error instanceof AppError)
        throw new AppError(error.code, `${kind} "${entry.name}": ${error.message}`);
      if (error instanceof z.ZodError) {
        const issue = error.issues[0];
        throw badRequest(
          `${kind} "${entry.name}": "${issue?.path.join('.')}" is invalid: ${issue?.message ?? ''}`,
        );
      }
      throw error;
    }
  }
}

/**
 * Editors import reports (which become drafts through the review workflow); connections, clusters,
 * group lists and access groups are admin matters, so a bundle holding any is refused for them.
 */
function refuseAdminSectionsFor(ctx: RequestContext, bundle: Bundle) {
  if (ctx.principal.isAdmin) return;
  const sections = {
    connections: bundle.connections,
    clusters: bundle.clusters,
    group_lists: bundle.group_lists ?? [],
    access_groups: bundle.access_groups ?? [],
  };
  const present = Object.entries(sections).filter(([, entries]) => entries.length > 0);
  if (present.length > 0) {
    throw new AppError(
      'forbidden',
      `Only admins import ${present.map(([name]) => name).join(', ')}; an editor's bundle may hold reports only`,
    );
  }
}

/**
 * Applies a parsed bundle in one transaction on `db`: each entry is saved by its own service,
 * joining that transaction, so a bad entry anywhere rolls back every entry before it.
 */
export function importBundle(
  ctx: RequestContext,
  bundle: Bundle,
  { db, ...services }: BundleServices & { db: StoreHandle },
): Promise<ImportSummary> {
  refuseAdminSectionsFor(ctx, bundle);
  return inTransaction(db, (within) => applyBundle(ctx, bundle, services, within));
}

async function applyBundle(
  ctx: RequestContext,
  bundle: Bundle,
  services: BundleServices,
  within: StoreHandle,
): Promise<ImportSummary> {
  const replace = { replace: true, within };
  await each('Connection', bundle.connections, (entry) =>
    services.connections.save(ctx, connectionInputSchema.parse(entry), replace),
  );
  await each('Cluster', bundle.clusters, (entry) =>
    services.clusters.save(ctx, entry as { name: string; connections: string[] }, replace),
  );
  await each('Report', bundle.reports, (entry) => services.reports.save(ctx, entry as never, replace));
  const groupLists = bundle.group_lists ?? [];
  const accessGroups = bundle.access_groups ?? [];
  await each('Group list', groupLists, (entry) =>
    services.groupLists.replace(ctx, entry as { name: string; members?: unknown[] }, { within }),
  );
  const accessEntries = accessGroups.map((entry) => ({
    ...entry,
    name: `${entry.table}/${entry.group}`,
  }));
  await each('Access group', accessEntries, ({ table, group, where }) =>
    services.accessGroups.save(ctx, { table, group, where }, replace),
  );
  return {
    connections: bundle.connections.length,
    clusters: bundle.clusters.length,
    reports: bundle.reports.length,
    group_lists: groupLists.length,
    access_groups: accessGroups.length,
  };
}

/**
 * Everything as a bundle, secrets left out. Connections, clusters, group lists (member emails) and
 * access-group fragments are admin matters, so an editor's export holds the reports only: the
 * same things an editor may import.
 */
export async function exportBundle(
  ctx: RequestContext,
  services: BundleServices,
  format: 'yaml' | 'json',
): Promise<string> {
  if (!ctx.principal.isEditor) throw new AppError('forbidden', 'Exporting a bundle needs an editor or admin');
  // The same document every report version stores.
  const reports = (await services.reports.list(ctx)).map(documentOf);
  if (!ctx.principal.isAdmin) return serialize({ reports }, format);
  const { connections, clusters, group_lists, access_groups } = await adminSections(ctx, services);
  return serialize({ connections, clusters, reports, group_lists, access_groups }, format);
}

function serialize(bundle: object, format: 'yaml' | 'json'): string {
  return format === 'json' ? `${JSON.stringify(bundle, null, 2)}\n` : yaml().stringify(bundle);
}

async function adminSections(ctx: RequestContext, services: BundleServices) {
  const connections = (await services.connections.list(ctx)).map((c) => ({
    name: c.name,
    driver: c.driver,
    settings: Object.fromEntries(Object.entries(c.settings).filter(([key]) => !key.startsWith('has_'))),
    active: c.active,
    statement_timeout_ms: c.statement_timeout_ms,
    pool_size: c.pool_size,
    create_cluster: false,
  }));
  const clusters = (await services.clusters.list(ctx)).map((c) => ({
    name: c.name,
    connections: c.connections,
  }));
  const group_lists = (await services.groupLists.list(ctx)).map((g) => ({
    name: g.name,
    description: g.description,
    image_url: g.image_url,
    members: g.members,
  }));
  const access_groups = (await services.accessGroups.list(ctx)).map((a) => ({
    table: a.table,
    group: a.group,
    where: a.where,
  }));
  return { connections, clusters, group_lists, access_groups };
}

/** Import and export with the services a bundle touches, on the store `db`. */
export function bundleService(deps: BundleServices & { db: StoreHandle }) {
  return {
    import: (ctx: RequestContext, bundle: Bundle) => importBundle(ctx, bundle, deps),
    export: (ctx: RequestContext, format: 'yaml' | 'json') => exportBundle(ctx, deps, format),
  };
}

export type BundleService = ReturnType<typeof bundleService>;
