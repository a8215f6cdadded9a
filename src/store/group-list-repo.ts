import type { Kysely } from 'kysely';
import { nowIso } from './clock.ts';
import type { Database, GroupListRow } from './tables.ts';

export interface GroupMemberRow {
  group_list_id: number;
  email: string;
}

export function groupListRepo(db: Kysely<Database>) {
  return {
    list(): Promise<GroupListRow[]> {
      return db.selectFrom('group_list').selectAll().orderBy('name').execute();
    },
    findByName(name: string): Promise<GroupListRow | undefined> {
      return db.selectFrom('group_list').selectAll().where('name', '=', name).executeTakeFirst();
    },
    findByImageFile(file: string): Promise<GroupListRow | undefined> {
      return db.selectFrom('group_list').selectAll().where('image_file', '=', file).executeTakeFirst();
    },
    async insert(row: { name: string; description: string; image_url: string | null }): Promise<number> {
      const at = nowIso();
      const inserted = await db
        .insertInto('group_list')
        .values({ ...row, image_file: null, created_at: at, updated_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    },
    async update(
      id: number,
      changes: Partial<Pick<GroupListRow, 'description' | 'image_url' | 'image_file'>>,
    ): Promise<void> {
      await db
        .updateTable('group_list')
        .set({ ...changes, updated_at: nowIso() })
        .where('id', '=', id)
        .execute();
    },
    async delete(id: number): Promise<void> {
      await db.deleteFrom('group_list').where('id', '=', id).execute();
    },
    /** Members of every list, ordered by email; the caller groups them by list. */
    allMembers(): Promise<GroupMemberRow[]> {
      return db.selectFrom('group_member').selectAll().orderBy('email').execute();
    },
    members(groupListId: number): Promise<GroupMemberRow[]> {
      return db
        .selectFrom('group_member')
        .selectAll()
        .where('group_list_id', '=', groupListId)
        .orderBy('email')
        .execute();
    },
    /** Returns whether the email was new to the list. */
    async addMember(groupListId: number, email: string): Promise<boolean> {
      const result = await db
        .insertInto('group_member')
        .values({ group_list_id: groupListId, email })
        .onConflict((oc) => oc.columns(['group_list_id', 'email']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    /** Returns whether the email was a member. */
    async removeMember(groupListId: number, email: string): Promise<boolean> {
      const result = await db
        .deleteFrom('group_member')
        .where('group_list_id', '=', groupListId)
        .where('email', '=', email)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** Names of the lists that contain the (lower-cased) email. */
    async namesContaining(email: string): Promise<string[]> {
      const rows = await db
        .selectFrom('group_member')
        .innerJoin('group_list', 'group_list.id', 'group_member.group_list_id')
        .select('group_list.name')
        .where('group_member.email', '=', email)
        .orderBy('group_list.name')
        .execute();
      return rows.map((row) => row.name);
    },
  };
}

export type GroupListRepo = ReturnType<typeof groupListRepo>;
