import { runQuery, type Queryable } from '../db/pool.ts';
import { hashToken, newSecretToken } from './secret-token.ts';

const keyPrefix = 'phx_';

export type KeyScope = 'read' | 'write';

export interface CreatedKey { id: number; key: string; project_id: number; scopes: KeyScope[] }
export interface KeyView { id: number; label: string; key_prefix: string; scopes: KeyScope[]; created_at: string; last_used_at: string | null; created_by: string | null }
export interface AuthenticatedKey { keyId: number; projectId: number; scopes: KeyScope[] }

/** Returns the key in clear exactly once; only its hash is stored. */
export async function createPersonalApiKey(db: Queryable, projectId: number, label = '', options: { userId?: number; scopes?: KeyScope[] } = {}): Promise<CreatedKey> {
  const key = newSecretToken(keyPrefix);
  const scopes = options.scopes ?? ['read', 'write'];
  const { rows } = await runQuery<{ id: number }>(db, 'keys.create',
    'INSERT INTO personal_api_keys (project_id, label, key_hash, key_prefix, user_id, scopes) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [projectId, label, hashToken(key), key.slice(0, 10), options.userId ?? null, scopes]);
  return { id: rows[0]!.id, key, project_id: projectId, scopes };
}

export async function listPersonalApiKeys(db: Queryable, projectId: number): Promise<KeyView[]> {
  const { rows } = await runQuery<KeyView>(db, 'keys.list',
    `SELECT k.id, k.label, k.key_prefix, k.scopes, k.created_at, k.last_used_at, u.email AS created_by
     FROM personal_api_keys k LEFT JOIN users u ON u.id = k.user_id
     WHERE k.project_id = $1 ORDER BY k.id`, [projectId]);
  return rows;
}

/** Revoked keys are deleted: nothing about them is worth keeping, and a lookup can never find them again. */
export async function revokePersonalApiKey(db: Queryable, projectId: number, keyId: number): Promise<boolean> {
  const { rowCount } = await runQuery(db, 'keys.revoke', 'DELETE FROM personal_api_keys WHERE project_id = $1 AND id = $2', [projectId, keyId]);
  return (rowCount ?? 0) > 0;
}

/** The project a key belongs to, or undefined for an unknown key. Records when it was last used. */
export async function authenticatePersonalApiKey(db: Queryable, key: string): Promise<AuthenticatedKey | undefined> {
  if (!key.startsWith(keyPrefix)) return undefined;
  const { rows } = await runQuery<{ id: number; project_id: number; scopes: KeyScope[]; stale: boolean }>(db, 'keys.authenticate',
    `SELECT id, project_id, scopes, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
     FROM personal_api_keys WHERE key_hash = $1`,
    [hashToken(key)]);
  const found = rows[0];
  if (!found) return undefined;
  // At most one write a minute per key: last-used time is for people, not an audit log.
  if (found.stale) await runQuery(db, 'keys.touch', 'UPDATE personal_api_keys SET last_used_at = now() WHERE id = $1', [found.id]);
  return { keyId: found.id, projectId: found.project_id, scopes: found.scopes };
}
