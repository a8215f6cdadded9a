import { z } from 'zod';
import { type AccessGroupView, accessGroupInputSchema } from '../../services/access-groups.ts';
import {
  type GroupListView,
  groupListChangesSchema,
  groupListInputSchema,
} from '../../services/group-lists.ts';
import { exactly } from '../envelope.ts';
import { nameParams } from '../route-kit.ts';

export const groupListParams = nameParams('group list');
export const createGroupListBody = groupListInputSchema;
export const updateGroupListBody = groupListChangesSchema;
export const memberBody = z.object({ email: z.string().trim().min(1, "give the member's email") });
export const memberParams = groupListParams.extend({ email: z.string().min(1).describe('The member email') });
export const createAccessGroupBody = accessGroupInputSchema;
export const accessGroupParams = z.object({
  id: z.coerce.number().int().positive().describe('Access-group entry id'),
});
export const groupImageParams = z.object({
  file: z.string().min(1).describe('Image file name chosen by the server'),
});
/** Documents the upload only: the route reads the file part itself, within its size limit. */
export const groupImageBody = z.unknown().meta({
  type: 'object',
  properties: {
    file: { type: 'string', format: 'binary', description: 'The image (PNG, JPEG, GIF or WebP)' },
  },
  required: ['file'],
});

export const groupListRecord = exactly<GroupListView>()(
  z.object({
    name: z.string(),
    description: z.string(),
    image_url: z.string().nullable(),
    image: z.string().nullable(),
    members: z.array(z.string()),
    created: z.string(),
    updated: z.string(),
  }),
);
export const accessGroupRecord = exactly<AccessGroupView>()(
  z.object({ id: z.number(), table: z.string(), group: z.string(), where: z.string(), created: z.string() }),
);
