import { z } from 'zod';
import { tokenNameProblem } from '../../services/token-names.ts';
import { expiryPeriods } from '../../services/tokens.ts';
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
