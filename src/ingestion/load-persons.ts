import { runQuery, type PoolClient } from '../db/pool.ts';
import { isLegalDistinctId, PersonState } from './person-state.ts';
import type { BufferedEvent } from './buffered-batch.ts';

interface LoadedRow {
  project_id: number;
  distinct_id: string;
  uuid: string;
  properties: Record<string, unknown>;
  is_identified: boolean;
  created_at: Date;
  version: number;
}

/**
 * Every distinct id a batch mentions: senders (personless ones too: they take an existing
 * person's id), $anon_distinct_id of $identify, alias of $create_alias.
 */
function mentionedIds(rows: BufferedEvent[]): Array<[number, string]> {
  const seen = new Set<string>();
  const out: Array<[number, string]> = [];
  const add = (projectId: number, id: unknown) => {
    if (!isLegalDistinctId(id)) return;
    const key = `${projectId}\u0000${id}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([projectId, id]);
  };
  for (const row of rows) {
    if (row.ops?.group) continue;
    add(row.projectId, row.distinctId);
    add(row.projectId, row.ops?.anonDistinctId);
    add(row.projectId, row.ops?.alias);
  }
  return out;
}

/**
 * Loads, in one query, the persons behind every id the batch mentions, locking them (in uuid
 * order, so concurrent workers cannot deadlock on this step) until the batch commits.
 */
export async function loadPersons(client: PoolClient, rows: BufferedEvent[]): Promise<PersonState> {
  const state = new PersonState();
  const ids = mentionedIds(rows);
  if (ids.length === 0) return state;
  const { rows: found } = await runQuery<LoadedRow>(client, 'worker.load_persons',
    `SELECT pdi.project_id, pdi.distinct_id, p.uuid, p.properties, p.is_identified, p.created_at, p.version
     FROM unnest($1::integer[], $2::text[]) AS wanted (project_id, distinct_id)
     JOIN person_distinct_ids pdi ON pdi.project_id = wanted.project_id AND pdi.distinct_id = wanted.distinct_id
     JOIN persons p ON p.uuid = pdi.person_uuid
     ORDER BY p.uuid
     FOR UPDATE OF p`,
    [ids.map(([projectId]) => projectId), ids.map(([, id]) => id)]);
  for (const row of found) {
    state.addLoaded(row.project_id, row.distinct_id, {
      uuid: row.uuid,
      projectId: row.project_id,
      properties: row.properties,
      isIdentified: row.is_identified,
      createdAt: row.created_at,
      version: row.version,
      isNew: false,
      dirty: false,
    });
  }
  return state;
}
