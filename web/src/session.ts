/** Who is signed in: `/api/me`, which also hands out the CSRF token for unsafe requests. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, recordsOf, send, setCsrfToken } from './api.ts';
import { queryKeys } from './query-keys.ts';
import type { Me } from './records.ts';

export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = (await recordsOf(api.GET('/api/me')))[0] ?? null;
        setCsrfToken(me?.csrf_token ?? null);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
  });
}

/** Signs in with email and password; the answer is the new principal, so `me` needs no refetch. */
export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (credentials: { email: string; password: string }) =>
      (await recordsOf(api.POST('/auth/login', { body: credentials })))[0] ?? null,
    onSuccess: (me) => {
      setCsrfToken(me?.csrf_token ?? null);
      client.setQueryData(queryKeys.me, me);
    },
  });
}

/** Signs out; whatever the server answers, nothing cached may outlive the session. */
export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => send(api.POST('/auth/logout')),
    onSettled: async () => {
      setCsrfToken(null);
      client.clear();
      await client.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}
