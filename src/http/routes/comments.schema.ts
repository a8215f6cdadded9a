import { z } from 'zod';
import { commentInputSchema } from '../../services/comments.ts';

export const commentListParams = z.object({ report: z.string().min(1) });
export const commentParams = z.object({
  report: z.string().min(1),
  id: z.coerce.number().int().positive(),
});
export const commentBody = commentInputSchema;
