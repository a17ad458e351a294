import { runQuery, type Queryable } from '../db/pool.ts';
import { hashToken, newSecretToken } from './secret-token.ts';

export const sessionDays = 14;

export interface Session { userId: number; csrfToken: string }

/** Returns the cookie's token; the database keeps its hash and the session's CSRF token. */
export async function createSession(db: Queryable, userId: number): Promise<{ token: string; csrfToken: string }> {
  const token = newSecretToken();
  const csrfToken = newSecretToken();
  await runQuery(db, 'sessions.create',
    `INSERT INTO user_sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + make_interval(days => $4))`,
    [hashToken(token), userId, csrfToken, sessionDays]);
  // Expired sessions are swept as new ones are made, so the table never needs a job of its own.
  await runQuery(db, 'sessions.sweep', 'DELETE FROM user_sessions WHERE expires_at < now()');
  return { token, csrfToken };
}

export async function findSession(db: Queryable, token: string): Promise<Session | undefined> {
  const { rows } = await runQuery<{ user_id: number; csrf_token: string }>(db, 'sessions.find',
    'SELECT user_id, csrf_token FROM user_sessions WHERE token_hash = $1 AND expires_at > now()', [hashToken(token)]);
  const row = rows[0];
  return row && { userId: row.user_id, csrfToken: row.csrf_token };
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await runQuery(db, 'sessions.delete', 'DELETE FROM user_sessions WHERE token_hash = $1', [hashToken(token)]);
}
