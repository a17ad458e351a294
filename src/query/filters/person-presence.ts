import { countBucketMs } from '../../rollups/count-bucket.ts';
import type { Interval } from '../insight-filter.ts';
import type { EntityMatcher } from './entity-condition.ts';
import type { PropertyGroup } from './filter-condition.ts';

/**
 * What person activity (a row per project, event, quarter hour and person, in both stores)
 * can stand in for. Every time zone's offset is a whole number of quarter hours, so each
 * quarter lies inside one local hour, day, week and month.
 */

/** Whether a time is where a quarter hour begins (a bound person activity can be cut at). */
export function onQuarterHour(date: Date): boolean {
  return date.getTime() % countBucketMs === 0;
}

/** Whether every period of `interval` is made of whole quarter hours (all but minutes), so person activity can tell who was active in it. */
export function inQuarterHours(interval: Interval): boolean {
  return interval !== 'minute';
}

function onlyAboutPersons(group: PropertyGroup): boolean {
  return group.values.every((value) => ('values' in value ? onlyAboutPersons(value) : value.type === 'person' || value.type === 'cohort'));
}

/** Whether the events picked by these entities and filters are told apart by no more than their name, person and time: plain event names, filters only about the person. */
export function activityCanSelect(entities: EntityMatcher[], properties: PropertyGroup): boolean {
  return entities.length > 0 && entities.every((entity) => entity.namesOnly && entity.eventNames !== undefined) && onlyAboutPersons(properties);
}
