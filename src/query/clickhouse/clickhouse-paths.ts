import type { ClickHouseStore } from '../../clickhouse/clickhouse-store.ts';
import { materializedKeys } from '../../clickhouse/materialized-keys.ts';
import type { ResolvedRange } from '../filters/date-range.ts';
import type { EntityMatcher } from '../filters/entity-condition.ts';
import type { InsightContext } from '../insight-context.ts';
import type { InsightFilter } from '../insight-filter.ts';
import { sessionGapSeconds } from '../paths/path-session-cuts.ts';
import { clickHouseEventSource, type ClickHouseSource } from './clickhouse-event-source.ts';
import { ClickHouseParams } from './clickhouse-params.ts';
import type { ClickHouseQuery } from './clickhouse-series-query.ts';

const sessionGapMs = sessionGapSeconds * 1000;

/** The path item of an event, as get-paths.ts's itemSql: a pageview's URL, a screen's name or a custom event's name. */
function itemExpression(filter: InsightFilter, source: ClickHouseSource): string {
  const url = source.scope.eventProperty('$current_url');
  const cleanUrl = filter.path_strip_query ? `replaceRegexpOne(replaceRegexpOne(${url}, '[?#].*$', ''), '(.)/$', '\\\\1')` : url;
  const types = new Set(filter.include_event_types);
  const branches: string[] = [];
  if (types.has('$pageview')) branches.push(`event = '$pageview'`, cleanUrl);
  if (types.has('$screen')) branches.push(`event = '$screen'`, source.scope.eventProperty('$screen_name'));
  if (types.has('custom_event')) branches.push(`substring(event, 1, 1) != '$'`, 'toNullable(event)');
  return `multiIf(${branches.join(', ')}, CAST(NULL AS Nullable(String)))`;
}

/**
 * Paths with get-paths.ts's semantics, in arrays: each person's items in time order (grouped
 * on the shards), cut into sessions (a new $session_id or 30 minutes idle), repeats in a row
 * collapsed, bounded by the start and end points, then unrolled into edges between step k and
 * k + 1. Every lambda reads aliases of its own SELECT or its arguments: ClickHouse 18.16 drops
 * a subquery's column that only a lambda reads.
 */
export async function clickHousePathsQuery(context: InsightContext, store: ClickHouseStore, filter: InsightFilter, range: ResolvedRange, entities: EntityMatcher[]): Promise<ClickHouseQuery> {
  const params = new ClickHouseParams();
  const source = clickHouseEventSource({
    store, materialized: await materializedKeys(store), projectId: context.project.id, params, from: range.from, to: range.to, entities, properties: filter.properties,
  });
  const start = filter.start_point ? params.add(filter.start_point) : undefined;
  const end = filter.end_point ? params.add(filter.end_point) : undefined;
  const previous = (array: string, first: string) => `arrayConcat([${first}], arrayPopBack(${array}))`;
  // The first position in each session of an item: linear, from the positions of every match
  // and a running count of matches (the n-th match of all is the first of a session that
  // starts after n - 1 of them). `SB` holds where each session begins.
  const firstOfSession = (item: string, name: string) => [
    `arrayCumSum(arrayMap(i -> toUInt32(i = ${item}), KI)) AS ${name}_count`,
    `arrayFilter((k, i) -> i = ${item}, arrayEnumerate(KI), KI) AS ${name}_at`,
    `arrayMap((b, j) -> if(length(${name}_at) > if(b = 1, 0, ${name}_count[b - 1]) AND KS[${name}_at[if(b = 1, 0, ${name}_count[b - 1]) + 1]] = j,
        ${name}_at[if(b = 1, 0, ${name}_count[b - 1]) + 1], 0), SB, arrayEnumerate(SB)) AS ${name}_first`,
  ];
  const bounds = [
    ...(start ? firstOfSession(start, 'start') : []),
    ...(end ? firstOfSession(end, 'end') : []),
    `arrayMap(s -> ${start ? 'start_first[s]' : 'SB[s]'}, KS) AS firsts`,
    `arrayMap(s -> ${end ? 'end_first[s]' : 'toUInt32(length(KS))'}, KS) AS lasts`,
  ];
  const perPerson = `SELECT person, arraySort(x -> (tupleElement(x, 1), tupleElement(x, 4)), groupArray((ms, item, session, seq))) AS sorted
    FROM (
      SELECT ${source.person} AS person, toUInt64(timestamp) * 1000 + timestamp_ms AS ms, ${itemExpression(filter, source)} AS item,
        ifNull(cityHash64(${source.scope.eventProperty('$session_id')}), toUInt64(0)) AS session, UUIDStringToNum(toString(uuid)) AS seq
      ${source.from})
    WHERE isNotNull(item)
    GROUP BY person`;
  const edges = `SELECT
      arrayMap(x -> tupleElement(x, 1), sorted) AS T,
      arrayMap(x -> assumeNotNull(tupleElement(x, 2)), sorted) AS I,
      arrayMap(x -> tupleElement(x, 3), sorted) AS D,
      arrayMap((k, t, pt, d, pd) -> k = 1 OR t - pt > ${sessionGapMs} OR d != pd, arrayEnumerate(T), T, ${previous('T', 'toUInt64(0)')}, D, ${previous('D', 'toUInt64(0)')}) AS starts,
      arrayCumSum(arrayMap(f -> toUInt32(f), starts)) AS S,
      arrayMap((f, i, pi) -> f OR i != pi, starts, I, ${previous('I', "''")}) AS keep,
      arrayFilter((t, k) -> k, T, keep) AS KT,
      arrayFilter((i, k) -> k, I, keep) AS KI,
      arrayFilter((s, k) -> k, S, keep) AS KS,
      arrayFilter(k -> k = 1 OR KS[k] != KS[k - 1], arrayEnumerate(KS)) AS SB,
      ${bounds.join(',\n      ')},
      arrayMap((k, f, l) -> f > 0 AND l > 0 AND k >= f AND k <= l, arrayEnumerate(KS), firsts, lasts) AS kept,
      arrayMap(k -> (toUInt32(k - firsts[k] + 1), KI[k], KI[k + 1], KT[k + 1] - KT[k]),
        arrayFilter(k -> k < length(KS) AND kept[k] AND kept[k + 1] AND KS[k + 1] = KS[k], arrayEnumerate(KS))) AS edges
    FROM (${perPerson})`;
  const text = `SELECT concat(toString(step), '_', source) AS source, concat(toString(step + 1), '_', target) AS target, count() AS value, avg(millis) AS average_conversion_time
    FROM (
      SELECT tupleElement(edge, 1) AS step, tupleElement(edge, 2) AS source, tupleElement(edge, 3) AS target, tupleElement(edge, 4) AS millis
      FROM (SELECT arrayJoin(edges) AS edge FROM (${edges})))
    WHERE step < ${params.add(filter.step_limit)}
    GROUP BY step, source, target
    ORDER BY value DESC, step, source, target
    LIMIT ${params.add(filter.edge_limit)}`;
  return { text, values: [] };
}
