import { z } from 'zod';
import { tokenNameProblem } from '../../services/token-names.ts';
import { type CreatedToken, expiryPeriods, type TokenRecord } from '../../services/tokens.ts';
import { exactly } from '../envelope.ts';
import { nameParams } from '../route-kit.ts';

export const createTokenBody = z.object({
  // Not trimmed: a space or an invisible character is refused by name rather than dropped.
  name: z.string().superRefine((name, context) => {
    const problem = tokenNameProblem(name);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  }),
  expiry: z.enum(Object.keys(expiryPeriods) as [keyof typeof expiryPeriods]),
  groups: z.array(z.string().trim().min(1)).min(1, 'give the token at least one group (`*` for everyone)'),
});

export const tokenNameParams = nameParams('token');

/** A token in the list (the help text's `admin-tokens` columns). */
export const tokenRecord = exactly<TokenRecord>()(
  z.object({
    active: z.enum(['Y', 'N']),
    age_days: z.number(),
    created: z.string(),
    created_by: z.string(),
    expiry: z.string(),
    groups: z.string(),
    name: z.string(),
  }),
);

/** A new token: `header` is the Authorization value, shown this once. */
export const createdTokenRecord = exactly<CreatedToken>()(
  z.object({ name: z.string(), header: z.string(), expiry: z.string(), groups: z.array(z.string()) }),
);
