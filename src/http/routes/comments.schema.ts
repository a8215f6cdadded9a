import { z } from 'zod';
import { commentInputSchema } from '../../services/comments.ts';
import { reportRef } from '../route-kit.ts';

export const commentListParams = z.object({ report: reportRef });
export const commentParams = commentListParams.extend({
  id: z.coerce.number().int().positive().describe('Comment id'),
});
export const commentBody = commentInputSchema;
