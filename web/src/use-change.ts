/**
 * Changes through TanStack Query's `useMutation`, each naming the queries it affects, with the
 * outcome a page shows ("Token created", or the server's error message).
 */
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from './api.ts';
import { invalidate } from './query-keys.ts';

export interface Outcome {
  ok: boolean;
  text: string;
}

/** What the last change on a page did; several changes of one page share it. */
export function useOutcome() {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  return { outcome, set: setOutcome, clear: () => setOutcome(null) };
}

export type OutcomeState = ReturnType<typeof useOutcome>;

export interface ChangeOptions<TVariables, TData> {
  mutationFn(variables: TVariables): Promise<TData>;
  /** The queries the change affects; only these refetch. */
  invalidates: readonly QueryKey[];
  /** Refetch them after a failure too (a failed schedule run still records a run). */
  invalidateOnError?: boolean;
  /** The success message. */
  done(variables: TVariables, data: TData): string;
}

/**
 * A change through `useMutation`: shows its outcome in `outcome`, and on success refreshes the
 * queries it names (the mutation stays pending until they have refetched, so lists are current
 * when the button stops spinning).
 */
export function useChange<TVariables = void, TData = unknown>(
  outcome: OutcomeState,
  { mutationFn, invalidates, invalidateOnError = false, done }: ChangeOptions<TVariables, TData>,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn,
    onMutate: () => outcome.clear(),
    onSuccess: async (data, variables) => {
      outcome.set({ ok: true, text: done(variables, data) });
      await invalidate(client, invalidates);
    },
    onError: async (error) => {
      outcome.set({ ok: false, text: errorMessage(error) });
      if (invalidateOnError) await invalidate(client, invalidates);
    },
  });
}
