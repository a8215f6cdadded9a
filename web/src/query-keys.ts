/**
 * Every query key of the app, in one tree, so a change refreshes exactly what it affects: keys
 * nest (a report's versions sit under the report), and invalidating a key also invalidates the
 * keys below it. Only mounted queries refetch at once; the others refetch when next shown.
 */
import type { QueryClient, QueryKey } from '@tanstack/react-query';

export const queryKeys = {
  me: ['me'] as const,
  authOptions: ['auth-options'] as const,
  /** The reports the caller may run, with the pictures of their groups (home page). */
  reportList: ['reports'] as const,
  /** Every report's definition and what is keyed below it. */
  reports: ['report'] as const,
  /** One report's definition; its versions, comments and runs are keyed below it. */
  report: (slug: string) => ['report', slug] as const,
  versions: (slug: string) => ['report', slug, 'versions'] as const,
  version: (slug: string, number: number) => ['report', slug, 'versions', number] as const,
  comments: (slug: string) => ['report', slug, 'comments'] as const,
  /** A report's runs, as a table or as a template's HTML; the Run button spins while one fetches. */
  runs: (slug: string) => ['report', slug, 'run'] as const,
  run: (slug: string, params: unknown, count: number) => ['report', slug, 'run', params, count] as const,
  template: (slug: string, params: unknown) => ['report', slug, 'run', 'template', params] as const,
  /** The choices of every field come from the report definitions, so they share one root. */
  choices: ['choices'] as const,
  fieldChoices: (fieldId: number | undefined) => ['choices', fieldId] as const,
  /** Versions waiting for review or promotion. */
  updates: ['updates'] as const,
  schedules: ['schedules'] as const,
  scheduleRuns: (id: number) => ['schedules', id, 'runs'] as const,
  admin: {
    tokens: ['admin', 'tokens'] as const,
    connections: ['admin', 'connections'] as const,
    clusters: ['admin', 'clusters'] as const,
    users: ['admin', 'users'] as const,
    groupLists: ['admin', 'group-lists'] as const,
    accessGroups: ['admin', 'access-groups'] as const,
    audit: (filter: Record<string, unknown>) => ['admin', 'audit', filter] as const,
  },
};

const { admin } = queryKeys;

/**
 * What each change affects: the keys its mutation invalidates, in one table to read (and test)
 * instead of scattered through the pages.
 */
export const affectedBy = {
  token: [admin.tokens],
  accessGroup: [admin.accessGroups],
  cluster: [admin.clusters],
  /** Creating a connection also creates its one-connection cluster; deleting one changes its clusters. */
  connection: [admin.connections, admin.clusters],
  /** A test re-runs the privilege probe, whose finding the list shows. */
  connectionTest: [admin.connections],
  user: [admin.users],
  /** A deleted user's schedules are paused, and admins see everyone's schedules. */
  userDeleted: [admin.users, queryKeys.schedules],
  /** The home page shows each group's picture and description from its list. */
  groupList: [admin.groupLists, queryKeys.reportList],
  groupMembers: [admin.groupLists],
  /** A save changes the report (under its old and new slug), the list, what waits, its choices. */
  reportSaved: (...slugs: string[]) => [
    queryKeys.reportList,
    queryKeys.updates,
    queryKeys.choices,
    ...[...new Set(slugs)].map(queryKeys.report),
  ],
  reviewStep: (slug: string) => [queryKeys.versions(slug), queryKeys.updates],
  /** Promotion changes the live definition: the report and everything keyed below it. */
  promotion: (slug: string) => [
    queryKeys.report(slug),
    queryKeys.reportList,
    queryKeys.choices,
    queryKeys.updates,
  ],
  /** A bundle holds connections, clusters, reports, group lists and access groups; no tokens or users. */
  bundleImport: [
    queryKeys.reportList,
    queryKeys.reports,
    queryKeys.choices,
    queryKeys.updates,
    admin.connections,
    admin.clusters,
    admin.groupLists,
    admin.accessGroups,
  ],
  /** Their runs are keyed below them. */
  schedule: [queryKeys.schedules],
  comments: (slug: string) => [queryKeys.comments(slug)],
} satisfies Record<string, readonly QueryKey[] | ((...args: never[]) => readonly QueryKey[])>;

/** Marks the given keys (and the keys below them) stale and refetches those on screen. */
export async function invalidate(client: QueryClient, keys: readonly QueryKey[]): Promise<void> {
  await Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey })));
}
