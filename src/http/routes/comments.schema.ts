import { z } from 'zod';
import { type Comment, commentInputSchema } from '../../services/comments.ts';
import { exactly } from '../envelope.ts';
import { reportRef } from '../route-kit.ts';

export const commentListParams = z.object({ report: reportRef });
export const commentParams = commentListParams.extend({
  id: z.coerce.number().int().positive().describe('Comment id'),
});
export const commentBody = commentInputSchema;

export const commentRecord = exactly<Comment>()(
  z.object({
    id: z.number(),
    author: z.string(),
    body: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    edited: z.boolean(),
  }),
);
