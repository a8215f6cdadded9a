/**
 * Tokens, report definitions, cluster members and access-group entries, kept in memory by each
 * instance so a report call does not read them from the store every time (issue 11).
 *
 * Revocation stays instant: every write to those tables bumps one counter in the store, in the
 * write's own transaction (a trigger, migration 0012). Before a lookup uses what it holds, the
 * cache reads that counter; when it moved, everything held is dropped. A token deleted, a report
 * edited or a connection switched off through any instance is therefore honoured by the next
 * request on every instance, at the price of one indexed one-row read per request.
 */

/** What a lookup is validated for: a request (its context), so the counter is read once per request. */
export type FreshnessScope = object;

export interface MetadataCache {
  /**
   * `load()`'s answer for `key`, from memory while the store's counter has not moved since it was
   * loaded. With a `scope`, the counter is read once for every lookup made in that scope (one
   * request, one scheduled run); without one, it is read for this lookup.
   */
  get<T>(key: string, load: () => Promise<T>, scope?: FreshnessScope): Promise<T>;
}

interface Deps {
  /** The store's change counter. */
  counter(): Promise<string>;
  /** Entries kept at most; the oldest goes first (unknown token names are kept too). */
  maxEntries?: number;
}

export function metadataCache({ counter, maxEntries = 10_000 }: Deps): MetadataCache {
  let seen: string | undefined;
  let entries = new Map<string, Promise<unknown>>();
  const checked = new WeakMap<FreshnessScope, Promise<void>>();

  async function validate(): Promise<void> {
    const current = await counter();
    if (current !== seen) {
      seen = current;
      entries = new Map();
    }
  }

  function validated(scope: FreshnessScope | undefined): Promise<void> {
    if (!scope) return validate();
    let pending = checked.get(scope);
    if (!pending) {
      pending = validate();
      checked.set(scope, pending);
    }
    return pending;
  }

  return {
    async get<T>(key: string, load: () => Promise<T>, scope?: FreshnessScope): Promise<T> {
      await validated(scope);
      // The map of the counter just read: a load that began before a later change lands in a
      // map that change's first reader has already dropped, so it can never be served after it.
      const held = entries;
      const hit = held.get(key);
      if (hit) return hit as Promise<T>;
      const loading = load();
      if (held.size >= maxEntries) held.delete(held.keys().next().value as string);
      held.set(key, loading);
      // A failed load (no such report, the store down) is not kept.
      loading.catch(() => {
        if (held.get(key) === loading) held.delete(key);
      });
      return loading;
    },
  };
}

/** No cache: every lookup loads (tools that make one change and exit, tests of the services alone). */
export const uncached: MetadataCache = { get: (_key, load) => load() };
