/**
 * Access groups (SPEC §3, row-level security): per table, entries of group → SQL where fragment.
 * `{{ access_group.<table> }}` in a report's SQL prints the fragment that applies to the caller.
 */
import { z } from 'zod';
import { driverNames } from '../datasources/registry.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import type { Principal } from '../policies/principal.ts';
import { scanSql } from '../sql/sql-scanner.ts';
import { trustedSqlFragment } from '../sql/sql-template.ts';
import { accessGroupRepo } from '../store/access-group-repo.ts';
import type { AccessGroupRow } from '../store/tables.ts';
import { type ChangeOptions, inTransaction, type StoreHandle } from '../store/transactions.ts';
import type { AuditService } from './audit.ts';
import { type FreshnessScope, type MetadataCache, uncached } from './metadata-cache.ts';
import type { RequestContext } from './request-context.ts';
import { requireAdmin } from './role-guard.ts';

/** The group whose entry applies when none of the caller's own groups has one. */
export const EVERYONE = '*';
/** The fragment for a table the caller has no entry for: no rows. */
export const NO_ROWS_SQL = '1=0';

/**
 * A fragment is printed inside `( … )`, so it must not be able to leave them: no comment (which
 * would swallow the closing parenthesis), no `;`, and parentheses balanced outside literals in
 * every dialect it may run on.
 */
function fragmentProblem(sql: string): string | undefined {
  if (sql.includes('\u0000')) return 'contains a NUL character';
  for (const dialect of driverNames) {
    let depth = 0;
    for (const segment of scanSql(sql, dialect)) {
      if (segment.kind === 'comment') return 'contains a comment';
      if (segment.kind !== 'code') continue;
      for (const char of sql.slice(segment.start, segment.end)) {
        if (char === ';') return 'contains ";"';
        depth += char === '(' ? 1 : char === ')' ? -1 : 0;
        if (depth < 0) return 'closes a parenthesis it did not open';
      }
    }
    if (depth !== 0) return 'leaves a parenthesis open';
  }
  return undefined;
}

export const accessGroupInputSchema = z.object({
  table: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z_][A-Za-z0-9_.$]*$/, 'must be a table name (letters, digits, "_", ".", "$")'),
  group: z.string().trim().min(1).max(200),
  where: z
    .string()
    .trim()
    .min(1, 'give a where fragment such as host_id=1')
    .max(10_000)
    .superRefine((sql, ctx) => {
      const problem = fragmentProblem(sql);
      if (problem) ctx.addIssue({ code: 'custom', message: `the fragment ${problem}` });
    }),
});
export type AccessGroupInput = z.input<typeof accessGroupInputSchema>;

export interface AccessGroupView {
  id: number;
  table: string;
  group: string;
  where: string;
  created: string;
}

const toView = (row: AccessGroupRow): AccessGroupView => ({
  id: row.id,
  table: row.table_name,
  group: row.group_name,
  where: row.where_sql,
  created: row.created_at,
});

/**
 * The rules, per table: the caller's groups except `*`, sorted, the first with an entry wins;
 * else the `*` entry; else `1=0`. Returns the winning where SQL per table that has entries.
 */
export function resolveFragments(
  entries: ReadonlyArray<Pick<AccessGroupRow, 'table_name' | 'group_name' | 'where_sql'>>,
  groups: readonly string[],
): Map<string, string> {
  const byTable = new Map<string, Map<string, string>>();
  for (const entry of entries) {
    const table = byTable.get(entry.table_name) ?? new Map<string, string>();
    table.set(entry.group_name, entry.where_sql);
    byTable.set(entry.table_name, table);
  }
  const ordered = [...new Set(groups)].filter((group) => group !== EVERYONE).sort();
  const resolved = new Map<string, string>();
  for (const [table, byGroup] of byTable) {
    const winner = ordered.find((group) => byGroup.has(group)) ?? EVERYONE;
    resolved.set(table, byGroup.get(winner) ?? NO_ROWS_SQL);
  }
  return resolved;
}

/**
 * The `access_group` template value: every table answers, unknown ones with `1=0`. The hardened
 * template runtime reads own properties only, so the descriptor trap must answer as well.
 */
export function accessGroupObject(fragments: ReadonlyMap<string, string>): Record<string, unknown> {
  const noRows = trustedSqlFragment(NO_ROWS_SQL);
  const values = new Map<string, unknown>();
  for (const [table, sql] of fragments) values.set(table, trustedSqlFragment(`(${sql})`));
  const lookup = (key: string | symbol) =>
    typeof key === 'string' ? (values.get(key) ?? noRows) : undefined;
  return new Proxy(Object.create(null) as Record<string, unknown>, {
    get: (_target, key) => lookup(key),
    has: (_target, key) => typeof key === 'string',
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === 'string'
        ? { value: lookup(key), enumerable: true, configurable: true, writable: false }
        : undefined,
  });
}

interface Deps {
  db: StoreHandle;
  audit: AuditService;
  /** Where `fragmentsFor` finds the entries between writes to the access-group table. */
  metadata?: MetadataCache;
}

export function accessGroupService({ db, audit, metadata = uncached }: Deps) {
  const accessGroups = accessGroupRepo(db);
  return {
    /** Every entry with its where fragment: admins only (runs use `fragmentsFor`). */
    async list(ctx: RequestContext): Promise<AccessGroupView[]> {
      requireAdmin(ctx);
      return (await accessGroups.list()).map(toView);
    },

    /** Adds an entry; with `replace`, an existing (table, group) entry gets the new fragment. */
    async save(
      ctx: RequestContext,
      raw: AccessGroupInput,
      options: { replace?: boolean } & ChangeOptions = {},
    ): Promise<AccessGroupView> {
      const input = accessGroupInputSchema.parse(raw);
      return inTransaction(options.within ?? db, async (trx) => {
        const entries = accessGroupRepo(trx);
        const existing = await entries.find(input.table, input.group);
        if (existing && !options.replace) {
          throw conflict(
            `The table "${input.table}" already has an entry for the group "${input.group}"; delete it first`,
          );
        }
        if (existing) await entries.updateWhere(existing.id, input.where);
        else
          await entries.insert({ table_name: input.table, group_name: input.group, where_sql: input.where });
        await audit.on(trx).adminChange(ctx, existing ? 'access_group.update' : 'access_group.create', input);
        const saved = await entries.find(input.table, input.group);
        if (!saved) throw new AppError('internal', 'The access-group entry was not saved');
        return toView(saved);
      });
    },

    async delete(ctx: RequestContext, id: number): Promise<void> {
      await inTransaction(db, async (trx) => {
        const entries = accessGroupRepo(trx);
        const row = await entries.findById(id);
        if (!row || !(await entries.delete(id))) throw notFound(`No access-group entry with id ${id}`);
        await audit.on(trx).adminChange(ctx, 'access_group.delete', {
          id,
          table: row.table_name,
          group: row.group_name,
        });
      });
    },

    /** The `access_group` template variable for one principal (tokens and users alike). */
    async fragmentsFor(principal: Principal, scope?: FreshnessScope): Promise<Record<string, unknown>> {
      const entries = await metadata.get('access-groups', () => accessGroups.list(), scope);
      return accessGroupObject(resolveFragments(entries, principal.groups));
    },
  };
}

export type AccessGroupService = ReturnType<typeof accessGroupService>;
