import { clickHouseElementCondition } from './clickhouse-elements.ts';
import { InvalidQueryError } from '../query-error.ts';
import { groupCondition, type PropertyGroup } from '../filters/filter-condition.ts';
import { valuesAsText, type PropertyFilter, type PropertyOperator } from '../filters/property-filter.ts';
import type { ClickHouseParams } from './clickhouse-params.ts';

// The same numbers Postgres' numericOf accepts ("5", " 5.0 ", "1e3"; not "inf" or "0x10").
const numberPattern = String.raw`^\s*-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\s*$`;

/** Where a ClickHouse query finds property values: SQL text of an event's or its person's property. */
export interface ClickHouseScope {
  eventProperty(key: string): string;
  personProperty(key: string): string;
  /** Whether the event's person is in a cohort of the query's project. */
  inCohort(cohortId: number): string;
  /** A person property filter: on the joined persons when the query joins them, else as a set of persons each shard reads locally. */
  personFilter?(filter: PropertyFilter, params: ClickHouseParams): string;
}

export function clickHouseNumeric(text: string, params: ClickHouseParams): string {
  return `if(match(ifNull(${text}, ''), ${params.add(numberPattern)}), toFloat64OrNull(replaceRegexpAll(${text}, '^\\\\s+|\\\\s+$', '')), NULL)`;
}

function numberValue(value: PropertyFilter['value']): number {
  const number = Number(Array.isArray(value) ? value[0] : value);
  if (value === null || value === undefined || value === '' || !Number.isFinite(number)) {
    throw new InvalidQueryError('a numeric comparison (gt, gte, lt, lte) needs a number value', 'properties');
  }
  return number;
}

const comparisons: Partial<Record<PropertyOperator, string>> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** A property filter's operator and value over the Nullable(String) expression `text`, with Postgres' semantics (a negative operator also matches a missing value). */
export function clickHouseTextCondition(text: string, operator: PropertyOperator, value: PropertyFilter['value'], params: ClickHouseParams): string {
  const values = valuesAsText(value);
  const first = params.add(values[0] ?? '');
  const list = values.length > 0 ? `${text} IN (${values.map((item) => params.add(item)).join(', ')})` : '0';
  switch (operator) {
    case 'exact': return `(${list})`;
    case 'is_not': return `(isNull(${text}) OR NOT (${list}))`;
    case 'icontains': return `(positionCaseInsensitiveUTF8(${text}, ${first}) > 0)`;
    case 'not_icontains': return `(isNull(${text}) OR positionCaseInsensitiveUTF8(${text}, ${first}) = 0)`;
    case 'regex': return `(match(${text}, ${first}))`;
    case 'not_regex': return `(isNull(${text}) OR NOT match(${text}, ${first}))`;
    case 'is_set': return `(isNotNull(${text}))`;
    case 'is_not_set': return `(isNull(${text}))`;
    case 'is_date_after': return `(parseDateTimeBestEffortOrNull(${text}) > parseDateTimeBestEffort(${first}))`;
    case 'is_date_before': return `(parseDateTimeBestEffortOrNull(${text}) < parseDateTimeBestEffort(${first}))`;
    case 'is_date_exact': return `(toDate(parseDateTimeBestEffortOrNull(${text})) = toDate(parseDateTimeBestEffort(${first})))`;
    default: return `(${clickHouseNumeric(text, params)} ${comparisons[operator]} ${params.add(numberValue(value))})`;
  }
}

function clickHouseFilter(filter: PropertyFilter, scope: ClickHouseScope, params: ClickHouseParams): string {
  switch (filter.type) {
    case 'event': return clickHouseTextCondition(scope.eventProperty(filter.key), filter.operator, filter.value, params);
    case 'person': return scope.personFilter?.(filter, params) ?? clickHouseTextCondition(scope.personProperty(filter.key), filter.operator, filter.value, params);
    case 'element': return clickHouseElementCondition(filter, params);
    case 'cohort': {
      const ids = Array.isArray(filter.value) ? filter.value : [filter.value];
      const any = ids.map((id) => scope.inCohort(Number(id))).join(' OR ');
      return filter.operator === 'is_not' || filter.operator === 'not_icontains' ? `(NOT (${any}))` : `(${any})`;
    }
  }
}

/** A whole AND/OR group of filters (1 when empty), the same tree walk as Postgres'. */
export function clickHouseGroupCondition(group: PropertyGroup, scope: ClickHouseScope, params: ClickHouseParams): string {
  return groupCondition(group, undefined, params, { filter: (filter) => clickHouseFilter(filter, scope, params), always: '1' });
}
