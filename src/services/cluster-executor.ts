/**
 * Runs one prepared statement on a cluster with its strategy (SPEC §4.6). Each strategy reads the
 * first batch of every stream it uses before returning, so errors that happen before any row
 * (bad SQL, timeouts, unreachable databases) surface before a reply has started.
 */
import type { Column, DataSource, JsonValue, RowBatch, RunRequest } from '../datasources/driver.ts';
import { AppError } from '../errors.ts';
import { breakerOpenError, type MemberHealth, memberHealth } from './member-health.ts';

export interface ClusterMember {
  name: string;
  source: DataSource;
  /** The statement prepared for this member's dialect. */
  request: RunRequest;
}

export interface ResultStream {
  columns: Column[];
  /** Rows aligned with `columns`. */
  rows: AsyncIterable<JsonValue[][]>;
  /** The connections that answered. */
  connections: string[];
}

interface Opened {
  member: ClusterMember;
  iterator: AsyncIterator<RowBatch>;
  first: RowBatch;
}

async function open(member: ClusterMember): Promise<Opened> {
  const iterator = member.source.run(member.request)[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    if (first.done)
      throw new AppError('internal', `The connection "${member.name}" returned no result description`);
    return { member, iterator, first: first.value };
  } catch (error) {
    await iterator.return?.();
    throw error;
  }
}

/** Opens a member's run and tells its breaker how the attempt went. */
async function openWatched(member: ClusterMember, health: MemberHealth): Promise<Opened> {
  health.begin(member.source);
  try {
    const opened = await open(member);
    health.end(member.source);
    return opened;
  } catch (error) {
    health.end(member.source, error);
    throw error;
  }
}

/** The members whose breaker is open, with the time until each may be tried again. */
function skippedBy(health: MemberHealth, members: ClusterMember[]) {
  return members
    .map((member) => ({ name: member.name, retryInMs: health.retryIn(member.source) }))
    .filter((entry) => entry.retryInMs > 0);
}

/** The rows of one member's run. Closing it early is left to `releasing`, which sees every member. */
async function* rest(opened: Opened): AsyncGenerator<JsonValue[][]> {
  if (opened.first.rows.length > 0) yield opened.first.rows;
  for (let next = await opened.iterator.next(); !next.done; next = await opened.iterator.next()) {
    yield next.value.rows;
  }
}

/** Ends every member's run, finished or not, so each pooled connection goes back. */
async function closeAll(opened: Opened[]): Promise<void> {
  await Promise.allSettled(opened.map((entry) => entry.iterator.return?.()));
}

/**
 * One strategy run: every member's request listens to `stop`, so an early end can interrupt a
 * member whose next batch is still being fetched (its `return()` would otherwise wait for it).
 * The callers' signals are forwarded into `stop` by one listener each, removed by `unlink` when
 * the run ends: cheaper than `AbortSignal.any` per member and run, which a run pays even when
 * nobody aborts, and nothing stays registered on a long-lived signal (a schedule's).
 */
function linked(members: ClusterMember[]) {
  const stop = new AbortController();
  const forwarded: Array<[AbortSignal, () => void]> = [];
  for (const own of new Set(members.map((member) => member.request.signal))) {
    if (!own) continue;
    if (own.aborted) stop.abort(own.reason);
    const forward = () => stop.abort(own.reason);
    own.addEventListener('abort', forward, { once: true });
    forwarded.push([own, forward]);
  }
  const unlink = () => {
    for (const [own, forward] of forwarded) own.removeEventListener('abort', forward);
  };
  return {
    stop,
    unlink,
    members: members.map((member) => ({ ...member, request: { ...member.request, signal: stop.signal } })),
  };
}

type Link = ReturnType<typeof linked>;

/** Opens a strategy's runs; when opening fails, the link to the callers' signals goes. */
async function opening<T>(link: Link, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    link.unlink();
    throw error;
  }
}

/**
 * Wraps a strategy's rows so that however the consumer stops (row cap, disconnect, an error in
 * any member) EVERY opened run ends and its pooled connection goes back. A nested generator that
 * was never started would skip its own `finally`, so the release cannot live in the per-member
 * generators; and it runs before the inner rows are returned, which may wait on a running fetch.
 */
async function* releasing(
  rows: AsyncIterator<JsonValue[][]>,
  opened: Opened[],
  { stop, unlink }: Link,
): AsyncGenerator<JsonValue[][]> {
  let complete = false;
  try {
    for (let next = await rows.next(); !next.done; next = await rows.next()) yield next.value;
    complete = true;
  } finally {
    if (!complete) stop.abort(new AppError('internal', 'The result was not read to the end'));
    unlink();
    await closeAll(opened);
    if (!complete) void rows.return?.().catch(() => {});
  }
}

/** Where each cluster's next balanced run starts: one turn per cluster, so clusters do not steer each other. */
const turns = new Map<ClusterKey, number>();
/** A cluster's id; runs of members outside a stored cluster are keyed by their names. */
export type ClusterKey = number | string;

function nextStart(cluster: ClusterKey, size: number): number {
  const turn = turns.get(cluster) ?? 0;
  turns.set(cluster, turn + 1);
  return turn % size;
}

const FAILOVER = new Set(['database_unreachable', 'unavailable']);

/**
 * `balance`: one connection, round robin, failing over to the next when one is unreachable or
 * busy. Members whose breaker is open are skipped; when every member's is, the answer is a fast
 * 502 naming them (a probe after the back-off finds out when one is back).
 */
export async function runBalanced(
  clusterMembers: ClusterMember[],
  health: MemberHealth = memberHealth,
  cluster: ClusterKey = clusterMembers.map((member) => member.name).join('\n'),
): Promise<ResultStream> {
  const link = linked(clusterMembers);
  const { members } = link;
  return opening(link, async () => {
    const start = nextStart(cluster, members.length);
    const order = members.map((_, offset) => members[(start + offset) % members.length]!);
    const ready = order.filter((member) => health.retryIn(member.source) === 0);
    if (ready.length === 0) throw breakerOpenError(skippedBy(health, order));
    let lastError: unknown;
    for (const member of ready) {
      try {
        const opened = await openWatched(member, health);
        return {
          columns: opened.first.columns,
          rows: releasing(rest(opened), [opened], link),
          connections: [member.name],
        };
      } catch (error) {
        // A busy pool is no outage, but another member may have a free connection.
        if (!(error instanceof AppError && FAILOVER.has(error.code))) throw error;
        lastError = error;
      }
    }
    throw lastError;
  });
}

/** Every member or none: a member whose breaker is open fails the run before any is opened. */
async function openAll(members: ClusterMember[], health: MemberHealth): Promise<Opened[]> {
  const skipped = skippedBy(health, members);
  if (skipped.length > 0) throw breakerOpenError(skipped);
  const settled = await Promise.allSettled(members.map((member) => openWatched(member, health)));
  const failure = settled.find((result) => result.status === 'rejected');
  const opened = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (failure) {
    await closeAll(opened);
    throw failure.reason;
  }
  return opened;
}

/** Union of columns by name in first-seen order, and for each stream where its columns go. */
function unionColumns(opened: Opened[], leading: Column[] = []) {
  const columns = [...leading];
  const index = new Map(columns.map((column, position) => [column.name, position]));
  const maps = opened.map(({ first }) =>
    first.columns.map((column) => {
      if (!index.has(column.name)) {
        index.set(column.name, columns.length);
        columns.push(column);
      }
      return index.get(column.name)!;
    }),
  );
  return { columns, maps };
}

function remap(rows: JsonValue[][], map: number[], width: number, lead: JsonValue[] = []): JsonValue[][] {
  return rows.map((row) => {
    const out: JsonValue[] = new Array(width).fill(null);
    lead.forEach((value, position) => {
      out[position] = value;
    });
    row.forEach((value, position) => {
      out[map[position]!] = value;
    });
    return out;
  });
}

/** Pulls every stream concurrently and yields batches as they arrive. */
async function* merge(
  streams: AsyncIterator<JsonValue[][]>[],
): AsyncGenerator<{ index: number; rows: JsonValue[][] }> {
  const pull = (index: number) => {
    const pulled = streams[index]!.next().then((result) => ({ index, result }));
    // A pull may fail after the consumer left (the early stop interrupts it): that is no error.
    pulled.catch(() => {});
    return pulled;
  };
  const pending = new Map(streams.map((_, index) => [index, pull(index)]));
  // No cleanup here: the member runs are ended by `releasing`, which also interrupts the pulls.
  while (pending.size > 0) {
    const { index, result } = await Promise.race(pending.values());
    if (result.done) {
      pending.delete(index);
      continue;
    }
    pending.set(index, pull(index));
    yield { index, rows: result.value };
  }
}

/** `consolidate`: every active connection at once, rows unioned with columns by name. */
export async function runConsolidated(
  clusterMembers: ClusterMember[],
  health: MemberHealth = memberHealth,
): Promise<ResultStream> {
  const link = linked(clusterMembers);
  const { members } = link;
  const opened = await opening(link, () => openAll(members, health));
  const { columns, maps } = unionColumns(opened);
  const streams = opened.map((entry) => rest(entry)[Symbol.asyncIterator]());
  async function* rows() {
    for await (const { index, rows: batch } of merge(streams))
      yield remap(batch, maps[index]!, columns.length);
  }
  return {
    columns,
    rows: releasing(rows(), opened, link),
    connections: members.map((member) => member.name),
  };
}

/**
 * `distribute`: every active connection, one section per connection. The sections travel as one
 * table whose first column, `connection`, names the section, in connection order.
 */
export async function runDistributed(
  clusterMembers: ClusterMember[],
  health: MemberHealth = memberHealth,
): Promise<ResultStream> {
  const link = linked(clusterMembers);
  const { members } = link;
  const opened = await opening(link, () => openAll(members, health));
  const { columns, maps } = unionColumns(opened, [{ name: 'connection', type: 'text' }]);
  async function* rows() {
    for (const [index, entry] of opened.entries()) {
      for await (const batch of rest(entry))
        yield remap(batch, maps[index]!, columns.length, [entry.member.name]);
    }
  }
  return {
    columns,
    rows: releasing(rows(), opened, link),
    connections: members.map((member) => member.name),
  };
}

/** A strategy runs the members' statements; `cluster` keys the balance rotation. */
export type Strategy = (
  members: ClusterMember[],
  health?: MemberHealth,
  cluster?: ClusterKey,
) => Promise<ResultStream>;

export const strategies: Record<'balance' | 'consolidate' | 'distribute', Strategy> = {
  balance: runBalanced,
  consolidate: runConsolidated,
  distribute: runDistributed,
};
