import { z } from 'zod';

export const createUserBody = z.object({
  email: z.email().max(320),
  /** Omitted for an account that will only sign in by SSO. */
  password: z.string().min(10, 'use at least 10 characters').max(1024).optional(),
});

export const userEmailParams = z.object({ email: z.string().trim().min(1).describe('The user email') });
