import { z } from 'zod';
import { accessGroupInputSchema } from '../../services/access-groups.ts';
import { groupListChangesSchema, groupListInputSchema } from '../../services/group-lists.ts';

export const groupListParams = z.object({ name: z.string().min(1) });
export const createGroupListBody = groupListInputSchema;
export const updateGroupListBody = groupListChangesSchema;
export const memberBody = z.object({ email: z.string().trim().min(1, "give the member's email") });
export const memberParams = z.object({ name: z.string().min(1), email: z.string().min(1) });
export const createAccessGroupBody = accessGroupInputSchema;
export const accessGroupParams = z.object({ id: z.coerce.number().int().positive() });
export const groupImageParams = z.object({ file: z.string().min(1) });
