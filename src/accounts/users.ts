import { runQuery, type Queryable } from '../db/pool.ts';

export interface User { id: number; email: string; name: string; created_at: string }
export type Role = 'admin' | 'member';

const columns = 'id, email, name, created_at';

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await runQuery<{ n: number }>(db, 'users.count', 'SELECT count(*)::int AS n FROM users');
  return rows[0]!.n;
}

export async function insertUser(db: Queryable, input: { email: string; name: string; passwordHash: string }): Promise<User> {
  const { rows } = await runQuery<User>(db, 'users.insert',
    `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING ${columns}`,
    [input.email, input.name, input.passwordHash]);
  return rows[0]!;
}

export async function getUser(db: Queryable, userId: number): Promise<User | undefined> {
  const { rows } = await runQuery<User>(db, 'users.get', `SELECT ${columns} FROM users WHERE id = $1`, [userId]);
  return rows[0];
}

/** Emails are matched without regard to case, as people type them. */
export async function findUserForLogin(db: Queryable, email: string): Promise<(User & { password_hash: string }) | undefined> {
  const { rows } = await runQuery<User & { password_hash: string }>(db, 'users.for_login',
    `SELECT ${columns}, password_hash FROM users WHERE lower(email) = lower($1)`, [email]);
  return rows[0];
}

export async function recordLogin(db: Queryable, userId: number): Promise<void> {
  await runQuery(db, 'users.login', 'UPDATE users SET last_login_at = now() WHERE id = $1', [userId]);
}
