import { runQuery, type Queryable } from '../db/pool.ts';
import type { FlagFilters, FlagInput, FlagUpdate } from '../flags/flag-definition.ts';
import { softDelete } from './soft-delete.ts';

export interface FlagRecord {
  id: number; key: string; name: string; active: boolean; filters: FlagFilters;
  ensure_experience_continuity: boolean; version: number; deleted: boolean; created_at: string; updated_at: string;
}

const columns = 'id, key, name, active, filters, ensure_experience_continuity, version, deleted, created_at, updated_at';

/** Thrown when another live flag of the project already has the key. */
export class DuplicateFlagKeyError extends Error {
  constructor(readonly key: string) {
    super(`a flag with key "${key}" already exists in this project`);
  }
}

async function uniqueKey<T>(key: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: string }).code === '23505' && key !== undefined) throw new DuplicateFlagKeyError(key);
    throw error;
  }
}

export async function listFlags(db: Queryable, projectId: number): Promise<FlagRecord[]> {
  const { rows } = await runQuery<FlagRecord>(db, 'flags.list', `SELECT ${columns} FROM feature_flags WHERE project_id = $1 AND NOT deleted ORDER BY id`, [projectId]);
  return rows;
}

export async function getFlag(db: Queryable, projectId: number, id: number): Promise<FlagRecord | undefined> {
  const { rows } = await runQuery<FlagRecord>(db, 'flags.get', `SELECT ${columns} FROM feature_flags WHERE project_id = $1 AND id = $2 AND NOT deleted`, [projectId, id]);
  return rows[0];
}

export function createFlag(db: Queryable, projectId: number, input: FlagInput): Promise<FlagRecord> {
  return uniqueKey(input.key, async () => {
    const { rows } = await runQuery<FlagRecord>(db, 'flags.create',
      `INSERT INTO feature_flags (project_id, key, name, active, filters, ensure_experience_continuity)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING ${columns}`,
      [projectId, input.key, input.name, input.active, JSON.stringify(input.filters), input.ensure_experience_continuity]);
    return rows[0]!;
  });
}

/** Every change makes a new version: the SDKs report the version they evaluated in `$feature_flag_called`. */
export function updateFlag(db: Queryable, projectId: number, id: number, input: FlagUpdate): Promise<FlagRecord | undefined> {
  return uniqueKey(input.key, async () => {
    const { rows } = await runQuery<FlagRecord>(db, 'flags.update',
      `UPDATE feature_flags SET key = coalesce($3, key), name = coalesce($4, name), active = coalesce($5, active),
         filters = coalesce($6::jsonb, filters), ensure_experience_continuity = coalesce($7, ensure_experience_continuity),
         version = version + 1, updated_at = now()
       WHERE project_id = $1 AND id = $2 AND NOT deleted RETURNING ${columns}`,
      [projectId, id, input.key ?? null, input.name ?? null, input.active ?? null,
        input.filters ? JSON.stringify(input.filters) : null, input.ensure_experience_continuity ?? null]);
    return rows[0];
  });
}

export function deleteFlag(db: Queryable, projectId: number, id: number): Promise<boolean> {
  return softDelete(db, 'feature_flags', projectId, id);
}
