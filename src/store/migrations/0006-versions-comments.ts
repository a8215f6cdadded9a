import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-set.ts';

/**
 * Report versions (SPEC §8) and comments (SPEC §3). A version's definition and diff never change
 * after insert; only its state and reviewer do. Comments are soft-deleted so audit records that
 * name them still make sense.
 */
export async function up(db: Kysely<unknown>, { id }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('report_version')
    .addColumn('id', id.type, id.build)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('report.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('definition_json', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('diff_text', 'text', (c) => c.notNull())
    .addUniqueConstraint('report_version_number_uq', ['report_id', 'number'])
    .execute();
  await db.schema.createIndex('report_version_state_idx').on('report_version').column('state').execute();
  await db.schema
    .createTable('report_comment')
    .addColumn('id', id.type, id.build)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('report.id').onDelete('cascade'))
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema.createIndex('report_comment_report_idx').on('report_comment').column('report_id').execute();
}
