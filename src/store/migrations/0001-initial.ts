import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-set.ts';

/** The first schema: connections, clusters, reports with fields and sections, tokens, audit. */
export async function up(db: Kysely<unknown>, { id }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('connection')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('driver', 'text', (c) => c.notNull())
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('secrets_encrypted', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('statement_timeout_ms', 'integer', (c) => c.notNull())
    .addColumn('pool_size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('cluster')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('cluster_member')
    .addColumn('cluster_id', 'integer', (c) => c.notNull().references('cluster.id').onDelete('cascade'))
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connection.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('cluster_member_pk', ['cluster_id', 'connection_id'])
    .execute();
  await db.schema
    .createTable('report')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('sql_body', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'integer', (c) => c.notNull().references('cluster.id'))
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('total_fields_json', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('run_immediate', 'integer', (c) => c.notNull())
    .addColumn('admin_only', 'integer', (c) => c.notNull())
    .addColumn('output_json', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('report_group')
    .addColumn('report_id', 'integer', (c) => c.notNull().references('report.id').onDelete('cascade'))
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_group_pk', ['report_id', 'group_name'])
    .execute();
  await db.schema
    .createTable('report_field')
    .addColumn('id', id.type, id.build)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('report.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('required', 'integer', (c) => c.notNull())
    .addColumn('default_value', 'text')
    .addColumn('help', 'text', (c) => c.notNull())
    .addColumn('field_order', 'integer', (c) => c.notNull())
    .addColumn('choices_json', 'text')
    .addColumn('choices_sql', 'text')
    .addUniqueConstraint('report_field_name_unique', ['report_id', 'name'])
    .execute();
  await db.schema
    .createTable('panel_section')
    .addColumn('id', id.type, id.build)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('report.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('sql_body', 'text', (c) => c.notNull())
    .addColumn('output_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('token')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('groups_json', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit')
    .addColumn('id', id.type, id.build)
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('report', 'text')
    .addColumn('connections', 'text')
    .addColumn('sql_text', 'text')
    .addColumn('params_json', 'text')
    .addColumn('row_count', 'integer')
    .addColumn('duration_ms', 'integer')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('client', 'text')
    .execute();
  await db.schema.createIndex('audit_at_idx').on('audit').column('at').execute();
  await db.schema.createIndex('report_field_report_idx').on('report_field').column('report_id').execute();
}
