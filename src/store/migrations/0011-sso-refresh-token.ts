import type { Kysely } from 'kysely';

/**
 * The refresh token the sign-in provider issued at the user's last SSO sign-in, sealed with the
 * server key like other secrets, so an admin's "refresh groups" can ask the provider for the
 * user's current groups. Null when the provider issues none (groups then refresh at sign-in).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('app_user').addColumn('sso_refresh_token', 'text').execute();
}
