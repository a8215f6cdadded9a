import { z } from 'zod';

export const loginBody = z.object({
  email: z.string().trim().min(1, 'give your email').max(320),
  password: z.string().min(1, 'give your password').max(1024),
});

/** Whoever is calling; `csrf_token` only for a browser session (send it as `X-CSRF-Token`). */
export const principalRecord = z.object({
  kind: z.enum(['token', 'user', 'internal']),
  name: z.string(),
  email: z.string().nullable(),
  groups: z.array(z.string()),
  is_admin: z.boolean(),
  is_editor: z.boolean(),
  csrf_token: z.string().optional(),
});

export const authOptionsRecord = z.object({ sso: z.boolean() });
