import type { InsightFilter } from '../insight-filter.ts';

export type PathEventType = InsightFilter['include_event_types'][number];

/**
 * The path item of an events row `e`: the URL of a pageview (without its query string and
 * trailing slash when asked), the screen name of a screen view, or the name of a custom event;
 * NULL for any other row, and for a pageview or screen without its URL or name.
 */
export function pathItemSql(types: readonly PathEventType[], stripQuery: boolean, jsonText: (column: string, key: string) => string): string {
  const url = jsonText('e.properties', "'$current_url'");
  const cleanUrl = stripQuery ? `regexp_replace(regexp_replace(${url}, '[?#].*$', ''), '(.)/$', '\\1')` : url;
  const parts: string[] = [];
  if (types.includes('$pageview')) parts.push(`WHEN e.event = '$pageview' THEN ${cleanUrl}`);
  if (types.includes('$screen')) parts.push(`WHEN e.event = '$screen' THEN ${jsonText('e.properties', "'$screen_name'")}`);
  if (types.includes('custom_event')) parts.push(`WHEN left(e.event, 1) <> '$' THEN e.event`);
  return `CASE ${parts.join(' ')} END`;
}

/** Whether an events row `e` is of one of the types a path follows. */
export function pathTypeCondition(types: readonly PathEventType[]): string {
  const parts: string[] = [];
  if (types.includes('$pageview')) parts.push(`e.event = '$pageview'`);
  if (types.includes('$screen')) parts.push(`e.event = '$screen'`);
  if (types.includes('custom_event')) parts.push(`left(e.event, 1) <> '$'`);
  return `(${parts.join(' OR ')})`;
}
