/**
 * Group lists (SPEC §2, §3): named lists of member emails that add groups to users, with an
 * optional description and image. Members are added or removed, never edited. Uploaded images
 * are checked by their bytes (PNG, JPEG, GIF, WebP only) and stored under a random name.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import { groupListRepo } from '../store/group-list-repo.ts';
import type { GroupListRow } from '../store/tables.ts';
import { type ChangeOptions, inTransaction, type StoreHandle } from '../store/transactions.ts';
import type { AuditService } from './audit.ts';
import type { RequestContext } from './request-context.ts';
import { requireAdmin } from './role-guard.ts';

export const GROUP_IMAGE_MAX_BYTES = 512 * 1024;

export const groupListName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "_" and "-" only');

const imageUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2000)
  .nullable();

export const memberEmail = z.email('must be an email address').max(320).toLowerCase();

export const groupListInputSchema = z.object({
  name: groupListName,
  description: z.string().max(2000).default(''),
  image_url: imageUrl.default(null),
});
export type GroupListInput = z.input<typeof groupListInputSchema>;

export const groupListChangesSchema = z.object({
  description: z.string().max(2000).optional(),
  image_url: imageUrl.optional(),
});
export type GroupListChanges = z.input<typeof groupListChangesSchema>;

export interface GroupListView {
  name: string;
  description: string;
  image_url: string | null;
  /** Where the uploaded image is served, when there is one. */
  image: string | null;
  members: string[];
  created: string;
  updated: string;
}

const imageTypes = {
  png: { contentType: 'image/png', matches: (b: Buffer) => b.subarray(0, 8).equals(PNG) },
  jpg: { contentType: 'image/jpeg', matches: (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  gif: { contentType: 'image/gif', matches: (b: Buffer) => /^GIF8[79]a$/.test(b.toString('latin1', 0, 6)) },
  webp: {
    contentType: 'image/webp',
    matches: (b: Buffer) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
  },
} as const;
type ImageExtension = keyof typeof imageTypes;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const DECLARED_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp']);
/** Exactly the names `setImage` produces; anything else is never looked up on disk. */
const STORED_NAME = /^[0-9a-f]{32}\.(png|jpg|gif|webp)$/;

/** The image type from the file's first bytes, or undefined when it is not an allowed one. */
export function detectImageType(bytes: Buffer): ImageExtension | undefined {
  return (Object.keys(imageTypes) as ImageExtension[]).find((ext) => imageTypes[ext].matches(bytes));
}

interface Deps {
  db: StoreHandle;
  audit: AuditService;
  /** Uploaded images live in `<dataDir>/uploads/group-images/`. */
  dataDir: string;
}

export function groupListService({ db, audit, dataDir }: Deps) {
  const groupLists = groupListRepo(db);
  const imageDir = path.join(dataDir, 'uploads', 'group-images');
  function view(row: GroupListRow, members: string[]): GroupListView {
    return {
      name: row.name,
      description: row.description,
      image_url: row.image_url,
      image: row.image_file ? `/api/group-images/${row.image_file}` : null,
      members,
      created: row.created_at,
      updated: row.updated_at,
    };
  }

  async function existing(name: string, handle = db): Promise<GroupListRow> {
    const row = await groupListRepo(handle).findByName(name);
    if (!row) throw notFound(`No group list named "${name}"`);
    return row;
  }

  /** The list as admins see it, members included; what every change answers with. */
  async function viewByName(name: string, handle = db): Promise<GroupListView> {
    const row = await existing(name, handle);
    return view(
      row,
      (await groupListRepo(handle).members(row.id)).map((member) => member.email),
    );
  }

  /** One change to a list and its audit record, in a transaction. */
  function change<T>(work: (lists: ReturnType<typeof groupListRepo>, audited: AuditService) => Promise<T>) {
    return inTransaction(db, (trx) => work(groupListRepo(trx), audit.on(trx)));
  }

  function parseEmail(raw: unknown): string {
    const parsed = memberEmail.safeParse(typeof raw === 'string' ? raw.trim() : raw);
    if (!parsed.success) throw badRequest(`"${String(raw)}" is not an email address`);
    return parsed.data;
  }

  return {
    /** One list with its member emails: admins only. */
    async get(ctx: RequestContext, name: string): Promise<GroupListView> {
      requireAdmin(ctx);
      return viewByName(name);
    },

    /** Every list with its member emails: admins only (the home page uses `pictures`). */
    async list(ctx: RequestContext): Promise<GroupListView[]> {
      requireAdmin(ctx);
      const [rows, members] = await Promise.all([groupLists.list(), groupLists.allMembers()]);
      const byList = new Map<number, string[]>();
      for (const member of members) {
        const emails = byList.get(member.group_list_id) ?? [];
        emails.push(member.email);
        byList.set(member.group_list_id, emails);
      }
      return rows.map((row) => view(row, byList.get(row.id) ?? []));
    },

    async create(ctx: RequestContext, raw: GroupListInput): Promise<GroupListView> {
      const input = groupListInputSchema.parse(raw);
      await change(async (lists, audited) => {
        if (await lists.findByName(input.name))
          throw conflict(`A group list named "${input.name}" already exists`);
        await lists.insert(input);
        await audited.adminChange(ctx, 'group_list.create', input);
      });
      return viewByName(input.name);
    },

    async update(ctx: RequestContext, name: string, raw: GroupListChanges): Promise<GroupListView> {
      const changes = groupListChangesSchema.parse(raw);
      const row = await existing(name);
      await change(async (lists, audited) => {
        await lists.update(row.id, changes);
        await audited.adminChange(ctx, 'group_list.update', { name, ...changes });
      });
      return viewByName(name);
    },

    async delete(ctx: RequestContext, name: string): Promise<void> {
      const row = await existing(name);
      await change(async (lists, audited) => {
        await lists.delete(row.id);
        await audited.adminChange(ctx, 'group_list.delete', { name });
      });
      // After the commit, so a delete that rolled back keeps its image.
      if (row.image_file) await rm(path.join(imageDir, row.image_file), { force: true });
    },

    async addMember(ctx: RequestContext, name: string, email: unknown): Promise<GroupListView> {
      const address = parseEmail(email);
      const row = await existing(name);
      await change(async (lists, audited) => {
        if (await lists.addMember(row.id, address))
          await audited.adminChange(ctx, 'group_list.member_add', { name, email: address });
      });
      return viewByName(name);
    },

    async removeMember(ctx: RequestContext, name: string, email: unknown): Promise<GroupListView> {
      const address = parseEmail(email);
      const row = await existing(name);
      await change(async (lists, audited) => {
        if (!(await lists.removeMember(row.id, address)))
          throw notFound(`"${address}" is not a member of "${name}"`);
        await audited.adminChange(ctx, 'group_list.member_remove', { name, email: address });
      });
      return viewByName(name);
    },

    /**
     * Creates or redefines a list by name (bundle import): description and image URL are set and
     * the members become exactly `members`, by adding and removing entries.
     */
    async replace(
      ctx: RequestContext,
      raw: GroupListInput & { members?: unknown[] },
      options: ChangeOptions = {},
    ): Promise<GroupListView> {
      const input = groupListInputSchema.parse(raw);
      const wanted = new Set((raw.members ?? []).map(parseEmail));
      return inTransaction(options.within ?? db, async (trx) => {
        const lists = groupListRepo(trx);
        const row = await lists.findByName(input.name);
        const id = row?.id ?? (await lists.insert(input));
        if (row) await lists.update(row.id, { description: input.description, image_url: input.image_url });
        const current = new Set((await lists.members(id)).map((member) => member.email));
        for (const email of current) if (!wanted.has(email)) await lists.removeMember(id, email);
        for (const email of wanted) if (!current.has(email)) await lists.addMember(id, email);
        await audit.on(trx).adminChange(ctx, row ? 'group_list.update' : 'group_list.create', {
          ...input,
          members: [...wanted],
        });
        return viewByName(input.name, trx);
      });
    },

    /** Names of the group lists that contain the email (compared lower-cased). */
    groupsContaining(email: string): Promise<string[]> {
      return groupLists.namesContaining(email.trim().toLowerCase());
    },

    /** Stores an uploaded image for the list, replacing (and removing) the previous file. */
    async setImage(
      ctx: RequestContext,
      name: string,
      upload: { bytes: Buffer; filename: string },
    ): Promise<GroupListView> {
      const row = await existing(name);
      const declared = path.extname(upload.filename).slice(1).toLowerCase();
      if (declared && !DECLARED_EXTENSIONS.has(declared))
        throw badRequest(`"${upload.filename}" is not an image file; upload a PNG, JPEG, GIF or WebP image`);
      if (upload.bytes.length > GROUP_IMAGE_MAX_BYTES)
        throw new AppError('too_large', `The image is larger than ${GROUP_IMAGE_MAX_BYTES / 1024} KiB`);
      const ext = detectImageType(upload.bytes);
      if (!ext) throw badRequest('The file is not a PNG, JPEG, GIF or WebP image');
      await mkdir(imageDir, { recursive: true });
      const file = `${randomBytes(16).toString('hex')}.${ext}`;
      await writeFile(path.join(imageDir, file), upload.bytes, { flag: 'wx' });
      try {
        await change(async (lists, audited) => {
          await lists.update(row.id, { image_file: file });
          await audited.adminChange(ctx, 'group_list.image', { name, file, bytes: upload.bytes.length });
        });
      } catch (error) {
        await rm(path.join(imageDir, file), { force: true });
        throw error;
      }
      if (row.image_file) await rm(path.join(imageDir, row.image_file), { force: true });
      return viewByName(name);
    },

    /**
     * Name, description and picture of the named lists that have a picture: what the home page
     * shows beside the reports a caller may run. Any signed-in caller; never the members.
     */
    async pictures(
      _ctx: RequestContext,
      names: ReadonlySet<string>,
    ): Promise<Array<{ name: string; description: string; image: string }>> {
      return (await groupLists.list()).flatMap((row) => {
        const image = row.image_file ? `/api/group-images/${row.image_file}` : row.image_url;
        return names.has(row.name) && image ? [{ name: row.name, description: row.description, image }] : [];
      });
    },

    /**
     * A stored image by the exact name the server gave it; anything else is not found. Any
     * signed-in caller: the home page shows the pictures of the groups beside their reports.
     */
    async image(_ctx: RequestContext, file: string): Promise<{ bytes: Buffer; contentType: string }> {
      const missing = () => notFound('No such image');
      if (!STORED_NAME.test(file) || !(await groupLists.findByImageFile(file))) throw missing();
      const bytes = await readFile(path.join(imageDir, file)).catch(() => {
        throw missing();
      });
      const ext = detectImageType(bytes);
      if (!ext) throw missing();
      return { bytes, contentType: imageTypes[ext].contentType };
    },
  };
}

export type GroupListService = ReturnType<typeof groupListService>;
