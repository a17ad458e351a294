import { runQuery, type Queryable } from '../db/pool.ts';

export interface LoginLimit { attempts: number; windowSeconds: number }

/**
 * Failed logins per email address, in the database so every web process counts the same ones.
 * Past `attempts` failures in a window, logins for that address are refused until it ends,
 * right password or not, so a guesser learns nothing.
 */
export class LoginLimiter {
  constructor(private readonly db: Queryable, private readonly limit: LoginLimit) {}

  /** Seconds until the address may try again, or 0 when it may try now. */
  async retryAfterSeconds(email: string): Promise<number> {
    if (this.limit.attempts <= 0) return 0;
    const { rows } = await runQuery<{ wait: number }>(this.db, 'login.limit',
      `SELECT ceil(extract(epoch FROM window_started_at + make_interval(secs => $2) - now()))::int AS wait
       FROM login_failures WHERE email_key = lower($1) AND failures >= $3`,
      [email, this.limit.windowSeconds, this.limit.attempts]);
    return Math.max(0, rows[0]?.wait ?? 0);
  }

  async recordFailure(email: string): Promise<void> {
    if (this.limit.attempts <= 0) return;
    await runQuery(this.db, 'login.failure',
      `INSERT INTO login_failures (email_key, failures, window_started_at) VALUES (lower($1), 1, now())
       ON CONFLICT (email_key) DO UPDATE SET
         failures = CASE WHEN login_failures.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE login_failures.failures + 1 END,
         window_started_at = CASE WHEN login_failures.window_started_at < now() - make_interval(secs => $2) THEN now() ELSE login_failures.window_started_at END`,
      [email, this.limit.windowSeconds]);
  }

  async recordSuccess(email: string): Promise<void> {
    await runQuery(this.db, 'login.success', 'DELETE FROM login_failures WHERE email_key = lower($1)', [email]);
  }
}
