import { runQuery, type PoolClient } from '../db/pool.ts';
import type { GroupUpdate } from './process-persons.ts';
import { combineProperties } from './person-properties.ts';
import { toStorableJson, toStorableText } from './sanitise-json.ts';

// PostHog's limit: five group types per project (indexes 0..4).
const maxGroupTypes = 5;

async function groupTypeIndex(client: PoolClient, projectId: number, groupType: string): Promise<number | undefined> {
  await runQuery(client, 'worker.add_group_type',
    `INSERT INTO group_type_mapping (project_id, group_type, group_type_index)
     SELECT $1, $2, coalesce(max(group_type_index) + 1, 0) FROM group_type_mapping WHERE project_id = $1
     HAVING coalesce(max(group_type_index) + 1, 0) < $3
     ON CONFLICT DO NOTHING`,
    [projectId, groupType, maxGroupTypes]);
  const { rows } = await runQuery<{ group_type_index: number }>(client, 'worker.group_type_index',
    'SELECT group_type_index FROM group_type_mapping WHERE project_id = $1 AND group_type = $2', [projectId, groupType]);
  return rows[0]?.group_type_index;
}

/** Upserts the groups `$groupidentify` events describe; later `$group_set` values win. */
export async function writeGroups(client: PoolClient, updates: GroupUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const indexes = new Map<string, number | undefined>();
  const collapsed = new Map<string, { projectId: number; index: number; key: string; properties: Record<string, unknown>; at: Date }>();
  for (const update of updates) {
    const typeKey = `${update.projectId}\u0000${update.groupType}`;
    if (!indexes.has(typeKey)) indexes.set(typeKey, await groupTypeIndex(client, update.projectId, toStorableText(update.groupType)));
    const index = indexes.get(typeKey);
    if (index === undefined) continue;
    const groupKey = `${update.projectId}\u0000${index}\u0000${update.groupKey}`;
    const previous = collapsed.get(groupKey);
    collapsed.set(groupKey, {
      projectId: update.projectId,
      index,
      key: toStorableText(update.groupKey),
      properties: previous ? combineProperties(update.properties, previous.properties) : update.properties,
      at: previous?.at ?? update.at,
    });
  }
  const rows = [...collapsed.values()];
  if (rows.length === 0) return;
  await runQuery(client, 'worker.upsert_groups',
    `INSERT INTO groups (project_id, group_type_index, group_key, properties, created_at)
     SELECT project_id, group_type_index, group_key, properties::jsonb, created_at
     FROM unnest($1::integer[], $2::smallint[], $3::text[], $4::text[], $5::timestamptz[])
       AS rows (project_id, group_type_index, group_key, properties, created_at)
     ON CONFLICT (project_id, group_type_index, group_key)
     DO UPDATE SET properties = groups.properties || excluded.properties`,
    [rows.map((r) => r.projectId), rows.map((r) => r.index), rows.map((r) => r.key), rows.map((r) => toStorableJson(r.properties)), rows.map((r) => r.at)]);
}
