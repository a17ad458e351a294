import { createHash, randomBytes } from 'node:crypto';
import { runQuery, type Queryable } from '../db/pool.ts';

const keyPrefix = 'phx_';

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export interface CreatedKey { id: number; key: string; project_id: number }

/** Returns the key in clear exactly once; only its hash is stored. */
export async function createPersonalApiKey(db: Queryable, projectId: number, label = ''): Promise<CreatedKey> {
  const key = `${keyPrefix}${randomBytes(30).toString('base64url')}`;
  const { rows } = await runQuery<{ id: number }>(db, 'keys.create',
    'INSERT INTO personal_api_keys (project_id, label, key_hash, key_prefix) VALUES ($1, $2, $3, $4) RETURNING id',
    [projectId, label, hashKey(key), key.slice(0, 10)]);
  return { id: rows[0]!.id, key, project_id: projectId };
}

/** The project a key belongs to, or undefined for an unknown key. Records when it was last used. */
export async function authenticatePersonalApiKey(db: Queryable, key: string): Promise<{ keyId: number; projectId: number } | undefined> {
  if (!key.startsWith(keyPrefix)) return undefined;
  const { rows } = await runQuery<{ id: number; project_id: number; stale: boolean }>(db, 'keys.authenticate',
    `SELECT id, project_id, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
     FROM personal_api_keys WHERE key_hash = $1`,
    [hashKey(key)]);
  const found = rows[0];
  if (!found) return undefined;
  // At most one write a minute per key: last-used time is for people, not an audit log.
  if (found.stale) await runQuery(db, 'keys.touch', 'UPDATE personal_api_keys SET last_used_at = now() WHERE id = $1', [found.id]);
  return { keyId: found.id, projectId: found.project_id };
}
