import type { Dialect } from '../dialects/dialect.ts';
import type { SqlParams } from '../sql-params.ts';

export const breakdownNull = '$$_posthog_breakdown_null_$$';
export const breakdownOther = '$$_posthog_breakdown_other_$$';

/** How one trends series is broken down: by an event or person property, with its top values kept. */
export interface BreakdownSpec { type: 'event' | 'person'; key: string; top?: string[] }

/** The breakdown value of a property given as text (NULL when missing or null): the null marker then, and "other" outside `top` when given. */
export function breakdownOf(text: string, top: string[] | undefined, params: SqlParams): string {
  const value = `coalesce(${text}, ${params.add(breakdownNull)})`;
  if (!top) return value;
  return `CASE WHEN ${value} = ANY(${params.add(top)}::text[]) THEN ${value} ELSE ${params.add(breakdownOther)} END`;
}

/** The breakdown value of an event. */
export function breakdownSql(d: Dialect, breakdown: BreakdownSpec, params: SqlParams): string {
  const column = breakdown.type === 'person' ? 'p.properties' : 'e.properties';
  return breakdownOf(d.jsonText(column, params.add(breakdown.key)), breakdown.top, params);
}
