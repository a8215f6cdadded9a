/** Who is signed in: `/api/me`, which also hands out the CSRF token for unsafe requests. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, call, setCsrfToken } from './api.ts';
import type { Me } from './types.ts';

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = (await call<Me>('/api/me')).records[0] ?? null;
        setCsrfToken(me?.csrf_token ?? null);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return async () => {
    try {
      await call('/auth/logout', { method: 'POST' });
    } finally {
      setCsrfToken(null);
      client.clear();
      await client.invalidateQueries({ queryKey: ['me'] });
    }
  };
}
