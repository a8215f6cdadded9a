/**
 * Browser sessions in the metadata store, so every instance behind a load balancer accepts them.
 * The cookie holds 32 random bytes; the store keeps only their SHA-256, and a CSRF token that the
 * browser must echo in `X-CSRF-Token` on unsafe requests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import { type SessionWithUser, sessionRepo } from '../store/session-repo.ts';
import { type ChangeOptions, inTransaction, type StoreHandle } from '../store/transactions.ts';

interface Deps {
  db: StoreHandle;
  ttlHours: number;
  now?: () => Date;
}

export interface NewSession {
  /** The cookie value; the only copy, never stored. */
  cookieValue: string;
  csrfToken: string;
  expiresAt: Date;
  maxAgeSeconds: number;
}

/** last_seen (and the sliding expiry) is written at most this often, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

const sessionIdOf = (cookieValue: string) => createHash('sha256').update(cookieValue).digest('hex');

export function sessionService({ db, ttlHours, now = () => new Date() }: Deps) {
  const sessions = sessionRepo(db);
  const ttlMs = ttlHours * 3_600_000;
  return {
    /** A new session for the user; `within` is the sign-in's transaction. */
    async create(userId: number, options: ChangeOptions = {}): Promise<NewSession> {
      const cookieValue = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      const created = now();
      const expiresAt = new Date(created.getTime() + ttlMs);
      await inTransaction(options.within ?? db, async (trx) => {
        const rows = sessionRepo(trx);
        // Expired rows are swept here so the table stays small without a job.
        await rows.deleteExpired(created.toISOString());
        await rows.insert({
          id: sessionIdOf(cookieValue),
          user_id: userId,
          csrf_token: csrfToken,
          created_at: created.toISOString(),
          expires_at: expiresAt.toISOString(),
          last_seen: created.toISOString(),
        });
      });
      return { cookieValue, csrfToken, expiresAt, maxAgeSeconds: Math.floor(ttlMs / 1000) };
    },

    /** The live session of a cookie value and its user; 401 when unknown or expired. */
    async resolve(cookieValue: string): Promise<SessionWithUser> {
      const found = await sessions.findWithUser(sessionIdOf(cookieValue));
      if (!found) throw new AppError('unauthenticated', 'You are signed out; sign in again');
      const current = now();
      if (Date.parse(found.session.expires_at) <= current.getTime()) {
        await sessions.deleteById(found.session.id);
        throw new AppError('unauthenticated', 'Your session has expired; sign in again');
      }
      if (current.getTime() - Date.parse(found.session.last_seen) >= TOUCH_INTERVAL_MS) {
        const expiresAt = new Date(current.getTime() + ttlMs).toISOString();
        await sessions.touch(found.session.id, current.toISOString(), expiresAt);
      }
      return found;
    },

    /** Sign-out; a no-op for an unknown value. */
    async delete(cookieValue: string): Promise<void> {
      await sessions.deleteById(sessionIdOf(cookieValue));
    },

    deleteAllForUser(userId: number): Promise<number> {
      return sessions.deleteForUser(userId);
    },
  };
}

export type SessionService = ReturnType<typeof sessionService>;
