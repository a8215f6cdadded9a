import { z } from 'zod';

export const loginBody = z.object({
  email: z.string().trim().min(1, 'give your email').max(320),
  password: z.string().min(1, 'give your password').max(1024),
});
