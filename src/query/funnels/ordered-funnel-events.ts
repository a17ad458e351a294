import { eventPersonId, eventSource } from '../filters/event-source.ts';
import type { InsightContext } from '../insight-context.ts';
import { SqlParams } from '../sql-params.ts';
import { stepMaskSql } from './step-mask.ts';
import type { FunnelSequenceInput } from './funnel-sequences.ts';

/**
 * The events an ordered funnel's chains are built from, per person, for a caller that lists only
 * the persons past the first step: every event of a later step, and before each second-step
 * event the last first-step event within the conversion window. matchOrdered reads a
 * first-step event only as the latest start when a second-step event comes, so these give it
 * the answer the person's every event would; and the first step (half of all events when it
 * is a pageview) is probed per second-step event through the (project, person, event, time)
 * index instead of scanned.
 *
 * The probe runs once per id the person's events were written with: their own, and those merged
 * into them (person_overrides is kept flat, old id to final person); events stored without a
 * person id (loaded without a worker) are found by their distinct id.
 */
export function orderedFunnelEventsQuery(context: InsightContext, input: FunnelSequenceInput): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const [first, ...later] = input.steps;
  const mask = stepMaskSql(input.steps, params);
  const share = input.personShare;
  const laterSource = eventSource({
    context, params, from: input.from, to: input.to, entities: later, properties: input.properties,
    joinPersons: input.steps.some((step) => step.usesPersons),
    extraConditions: share ? [`(hashtext(${eventPersonId}::text) & 2147483647) % ${params.add(share.count)}::int = ${params.add(share.index)}::int`] : [],
  });
  const project = params.add(context.project.id);
  // A start older than the window before the second step makes no chain with it, so the probe
  // looks no further back: a person with none nearer is counted as an entrant, not listed.
  const window = `${params.add(input.windowMs)}::float8 * interval '1 millisecond'`;
  // The id a probed event was written with makes it the person's, so the probe needs no override
  // join and, for a step that is a plain event name, reads the index alone. Of two first-step
  // events at the same instant either serves: a chain from one has the same times as from the other.
  const lastFirstStep = (person: string) => `SELECT e.timestamp, e.uuid FROM ${eventSource({
    context, params, from: input.from, to: input.to, entities: [first!], properties: input.properties, joinPersons: first!.usesPersons,
    extraConditions: [person, `e.timestamp >= l.timestamp - ${window}`, 'e.timestamp <= l.timestamp', '(e.timestamp, e.uuid) < (l.timestamp, l.uuid)'],
  })}
      ORDER BY e.timestamp DESC LIMIT 1`;
  const text = `WITH later AS (
      SELECT ${eventPersonId} AS person_id, e.person_id AS written_person_id, e.distinct_id, e.timestamp, e.uuid, ${mask} AS mask FROM ${laterSource}),
    starts AS (
      SELECT l.person_id, s.timestamp, s.uuid
      FROM later l LEFT JOIN person_overrides merged ON merged.project_id = ${project} AND merged.override_person_uuid = l.person_id
      CROSS JOIN LATERAL (VALUES (l.person_id), (merged.old_person_uuid)) w(written_person_id)
      CROSS JOIN LATERAL (${lastFirstStep('e.person_id = w.written_person_id')}) s
      WHERE l.mask & 2 <> 0 AND l.written_person_id IS NOT NULL AND w.written_person_id IS NOT NULL
      UNION
      SELECT l.person_id, s.timestamp, s.uuid
      FROM later l CROSS JOIN LATERAL (${lastFirstStep('e.person_id IS NULL AND e.distinct_id = l.distinct_id')}) s
      WHERE l.mask & 2 <> 0 AND l.written_person_id IS NULL),
    steps AS (
      -- Only a person with a start (a first-step event before a second-step one) can get past the first step.
      SELECT person_id, timestamp, uuid, mask FROM later WHERE person_id IN (SELECT person_id FROM starts)
      UNION ALL
      -- A start that is a later step's event too is in later already, with all its steps.
      SELECT person_id, timestamp, uuid, 1 FROM starts WHERE uuid NOT IN (SELECT uuid FROM later))
    SELECT person_id, array_agg((extract(epoch FROM timestamp) * 1000)::float8 ORDER BY timestamp, uuid) AS times,
           array_agg(mask ORDER BY timestamp, uuid) AS masks, '{}'::text[] AS breakdowns
    FROM steps GROUP BY person_id`;
  return { text, values: params.values };
}
