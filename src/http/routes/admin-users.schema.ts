import { z } from 'zod';
import type { UserRecord } from '../../services/users.ts';
import { exactly } from '../envelope.ts';

export const createUserBody = z.object({
  email: z.email().max(320),
  /** Omitted for an account that will only sign in by SSO. */
  password: z.string().min(10, 'use at least 10 characters').max(1024).optional(),
});

export const userEmailParams = z.object({ email: z.string().trim().min(1).describe('The user email') });

export const userRecord = exactly<UserRecord>()(
  z.object({
    email: z.string(),
    sign_in: z.string(),
    groups: z.array(z.string()),
    is_admin: z.boolean(),
    is_editor: z.boolean(),
    last_login: z.string().nullable(),
    created: z.string(),
    active_sessions: z.number().nullable(),
  }),
);
