/**
 * The columns of an exported event. Properties stay one JSON text column; the hot ones most
 * queries read are also columns of their own (the same list ClickHouse materialises), so a
 * lake query on them reads no JSON. Partition keys (project_id, event, week) are kept in the
 * files too, so a single file read on its own still says what it holds.
 */
export const hotProperties = ['$current_url', '$pathname', '$browser', '$os', '$device_type', '$session_id', '$host', '$referring_domain'] as const;

export const hotColumn = (property: string) => property.replace(/^\$/, '');

export const lakeTableDdl = `CREATE TEMP TABLE lake_events (
  uuid UUID, project_id INTEGER, event VARCHAR, week DATE, distinct_id VARCHAR, person_id UUID,
  timestamp TIMESTAMPTZ, created_at TIMESTAMPTZ, elements_chain VARCHAR, properties VARCHAR,
  ${hotProperties.map((property) => `${hotColumn(property)} VARCHAR`).join(', ')}
)`;

/** The Postgres side: the same columns in the same order, persons resolved through merges. */
export const lakeSelectColumns = `e.uuid::text, e.project_id, e.event, to_char(date_trunc('week', e.timestamp AT TIME ZONE 'UTC'), 'YYYY-MM-DD'),
  e.distinct_id, coalesce(o.override_person_uuid, e.person_id, md5(e.distinct_id)::uuid)::text,
  to_char(e.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  e.elements_chain, e.properties::text,
  ${hotProperties.map((_, index) => `e.properties ->> $${index + 4}`).join(', ')}`;
