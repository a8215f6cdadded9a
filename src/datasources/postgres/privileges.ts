/**
 * What a PostgreSQL user may do beyond reading: a superuser, or a member (directly or through
 * other roles) of the predefined roles that open the server's programs and files — these work
 * inside `BEGIN READ ONLY` (`COPY … TO PROGRAM`, `pg_read_file()`, `COPY … TO '/file'`).
 */
import type pg from 'pg';

/** The predefined roles that reach outside the database (PostgreSQL 11 and later). */
export const SERVER_ACCESS_ROLES = [
  'pg_execute_server_program',
  'pg_read_server_files',
  'pg_write_server_files',
];

// `::text[]`: node-postgres parses text arrays, not name arrays. Roles are looked up by oid, so a server without one of them (before 11) just has no row for it,
// where `pg_has_role(…, 'name', …)` would fail.
const PROBE = `select r.rolsuper,
  array(select g.rolname from pg_roles g
         where g.rolname = any($1::text[]) and pg_has_role(current_user, g.oid, 'MEMBER')
         order by g.rolname)::text[] as memberships
  from pg_roles r where r.rolname = current_user`;

/** Findings completing "signs in as …"; empty for a user that can only read. */
export async function probePrivileges(client: Pick<pg.PoolClient, 'query'>): Promise<string[]> {
  const result = await client.query<{ rolsuper: boolean; memberships: string[] }>(PROBE, [
    SERVER_ACCESS_ROLES,
  ]);
  const row = result.rows[0];
  if (!row) return [];
  // A superuser is a member of every role; naming those too would only repeat it.
  if (row.rolsuper) return ['a database superuser'];
  return row.memberships.map((role) => `a member of ${role}`);
}
