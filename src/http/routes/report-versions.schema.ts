import { z } from 'zod';

export const versionListParams = z.object({ report: z.string().min(1) });
export const versionParams = z.object({
  report: z.string().min(1),
  number: z.coerce.number().int().positive(),
});
