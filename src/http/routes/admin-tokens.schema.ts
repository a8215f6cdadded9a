import { z } from 'zod';
import { expiryPeriods } from '../../services/tokens.ts';

export const createTokenBody = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^:\s]+$/, 'must not contain ":" or spaces, since it is part of the Basic credentials'),
  expiry: z.enum(Object.keys(expiryPeriods) as [keyof typeof expiryPeriods]),
  groups: z.array(z.string().trim().min(1)).min(1, 'give the token at least one group (`*` for everyone)'),
});

export const tokenNameParams = z.object({ name: z.string().min(1) });
