/**
 * One migration set for both dialects. The dialect differences a migration may see are how an
 * auto-increment primary key is declared, passed in as `id`, and the dialect itself, for what has
 * no common syntax (triggers).
 */
import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.ts';
import * as reportRevision from './0002-report-revision.ts';
import * as groups from './0003-groups.ts';
import * as usersSessions from './0004-users-sessions.ts';
import * as schedules from './0005-schedules.ts';
import * as versionsComments from './0006-versions-comments.ts';
import * as rateLimits from './0007-rate-limits.ts';
import * as requestIdReportDeleted from './0008-request-id-report-deleted.ts';
import * as connectionPrivilegeCheck from './0009-connection-privilege-check.ts';
import * as tokenNameKey from './0010-token-name-key.ts';
import * as ssoRefreshToken from './0011-sso-refresh-token.ts';
import * as metadataChangeCounter from './0012-metadata-change-counter.ts';

export type StoreDialect = 'sqlite' | 'postgres';

export interface MigrationContext {
  dialect: StoreDialect;
  id: {
    type: 'integer' | 'serial';
    build: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  };
}

type MigrationModule = { up(db: Kysely<unknown>, context: MigrationContext): Promise<void> };

const migrations: Record<string, MigrationModule> = {
  '0001-initial': initial,
  '0002-report-revision': reportRevision,
  '0003-groups': groups,
  '0004-users-sessions': usersSessions,
  '0005-schedules': schedules,
  '0006-versions-comments': versionsComments,
  '0007-rate-limits': rateLimits,
  '0008-request-id-report-deleted': requestIdReportDeleted,
  '0009-connection-privilege-check': connectionPrivilegeCheck,
  '0010-token-name-key': tokenNameKey,
  '0011-sso-refresh-token': ssoRefreshToken,
  '0012-metadata-change-counter': metadataChangeCounter,
};

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  const context: MigrationContext = {
    dialect,
    id:
      dialect === 'sqlite'
        ? { type: 'integer', build: (c) => c.primaryKey().autoIncrement() }
        : { type: 'serial', build: (c) => c.primaryKey() },
  };
  return {
    async getMigrations() {
      const result: Record<string, Migration> = {};
      for (const [name, module] of Object.entries(migrations)) {
        result[name] = { up: (db) => module.up(db, context) };
      }
      return result;
    },
  };
}
