import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-set.ts';

/** Group lists with their member emails, and access-group (row-level security) entries. */
export async function up(db: Kysely<unknown>, { id }: MigrationContext): Promise<void> {
  await db.schema
    .createTable('group_list')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('image_url', 'text')
    .addColumn('image_file', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('group_member')
    .addColumn('group_list_id', 'integer', (c) => c.notNull().references('group_list.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_member_pk', ['group_list_id', 'email'])
    .execute();
  // Looked up at every sign-in: which lists contain this email.
  await db.schema.createIndex('group_member_email_idx').on('group_member').column('email').execute();
  await db.schema
    .createTable('access_group')
    .addColumn('id', id.type, id.build)
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('where_sql', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('access_group_table_group_unique', ['table_name', 'group_name'])
    .execute();
}
