import { resolveRange } from '../filters/date-range.ts';
import { matchEntity } from '../filters/entity-condition.ts';
import type { InsightContext } from '../insight-context.ts';
import { seriesOf, type InsightFilter, type Series } from '../insight-filter.ts';
import { InvalidQueryError } from '../query-error.ts';
import { breakdownNull, breakdownOther } from '../trends/breakdown-value.ts';
import { countFunnelEntrants, loadFunnelSequences } from './funnel-sequences.ts';
import { funnelTrends, type FunnelTrendsResult } from './funnel-trends.ts';
import { matchFunnel, type FunnelMatch } from './match-funnel.ts';

export interface FunnelStepResult {
  action_id: string | number | null;
  name: string;
  custom_name: string | null;
  order: number;
  type: string;
  count: number;
  /** Of the persons who entered the funnel, and of those who did the previous step. */
  conversion_rate: number;
  step_conversion_rate: number;
  dropped_off: number;
  average_conversion_time: number | null;
  median_conversion_time: number | null;
  breakdown_value?: string;
}

export interface PersonOutcome { personId: string; match: FunnelMatch; breakdown?: string }

const unitMs = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000, month: 2_592_000_000 } as const;

export function funnelWindowMs(filter: InsightFilter): number {
  if (filter.funnel_window_interval) return filter.funnel_window_interval * unitMs[filter.funnel_window_interval_unit ?? 'day'];
  return (filter.funnel_window_days ?? 14) * unitMs.day;
}

function funnelSteps(filter: InsightFilter): Series[] {
  const steps = seriesOf(filter);
  if (steps.length === 0) throw new InvalidQueryError('a funnel needs at least one step in events or actions', 'events');
  if (steps.length > 20) throw new InvalidQueryError('a funnel has at most 20 steps', 'events');
  return steps;
}

export interface FunnelEvaluation {
  steps: Series[];
  labels: string[];
  /** Persons who did the first step in the range, with how far they got and their breakdown value (from the first step's event)... */
  outcomes: PersonOutcome[];
  /** ...but for these many, who did only the first step and were counted, not listed (see `listsEveryEntrant`). */
  unlistedEntrants: number;
}

/**
 * How far each person got. Unless `listsEveryEntrant` (persons of the first step, breakdowns and
 * conversion over time need each entrant), an ordered or strict funnel reads the events of only
 * the persons who got past its first step and counts the rest: on a busy site most visitors
 * stop at the first step, and sending their events is most of the work.
 */
export async function evaluateFunnel(context: InsightContext, filter: InsightFilter, listsEveryEntrant: boolean): Promise<FunnelEvaluation> {
  const steps = funnelSteps(filter);
  const range = await resolveRange(context, { dateFrom: filter.date_from, dateTo: filter.date_to, interval: 'day' });
  const matchers = await Promise.all(steps.map((step) => matchEntity(context, step)));
  const breakdown = filter.breakdown !== undefined && filter.breakdown !== null
    ? { type: filter.breakdown_type === 'person' ? 'person' as const : 'event' as const, key: String(filter.breakdown) }
    : undefined;
  if (filter.breakdown_type === 'cohort') throw new InvalidQueryError('funnels break down by an event or person property', 'breakdown_type');
  const pastFirstStep = !listsEveryEntrant && !breakdown && steps.length > 1 && filter.funnel_order_type !== 'unordered' && filter.funnel_viz_type !== 'trends';
  const windowMs = funnelWindowMs(filter);
  const input = { steps: matchers, properties: filter.properties, from: range.from, to: range.to, order: filter.funnel_order_type, breakdown, pastFirstStep, windowMs };
  const [rows, entrants] = await Promise.all([loadFunnelSequences(context, input), pastFirstStep ? countFunnelEntrants(context, input) : undefined]);
  const outcomes: PersonOutcome[] = [];
  for (const row of rows) {
    const match = matchFunnel(row, steps.length, windowMs, filter.funnel_order_type);
    if (!match) continue;
    outcomes.push({ personId: row.personId, match, breakdown: breakdown ? row.breakdowns[match.startIndex] ?? breakdownNull : undefined });
  }
  if (breakdown) limitBreakdowns(outcomes, filter.breakdown_limit);
  // The two reads are two snapshots: events written between them can make the count fall short of the listed.
  const unlistedEntrants = entrants === undefined ? 0 : Math.max(0, entrants - outcomes.length);
  return { steps, labels: matchers.map((matcher) => matcher.label), outcomes, unlistedEntrants };
}

/** Keeps the breakdown values with the most persons entering the funnel; the rest become "other". */
function limitBreakdowns(outcomes: PersonOutcome[], limit: number): void {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome.breakdown!, (counts.get(outcome.breakdown!) ?? 0) + 1);
  const kept = new Set([...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([value]) => value));
  for (const outcome of outcomes) if (!kept.has(outcome.breakdown!)) outcome.breakdown = breakdownOther;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function stepResults(steps: Series[], labels: string[], outcomes: PersonOutcome[], unlistedEntrants: number, breakdownValue?: string): FunnelStepResult[] {
  const entered = outcomes.length + unlistedEntrants;
  const reachedCount = (index: number) => (index === 0 ? entered : outcomes.filter((outcome) => outcome.match.steps > index).length);
  return steps.map((step, index) => {
    const reached = outcomes.filter((outcome) => outcome.match.steps > index);
    const count = reachedCount(index);
    const previous = index === 0 ? entered : reachedCount(index - 1);
    const seconds = index === 0 ? [] : reached.map((outcome) => (outcome.match.times[index]! - outcome.match.times[index - 1]!) / 1000);
    const result: FunnelStepResult = {
      action_id: step.id, name: step.name ?? labels[index]!, custom_name: step.custom_name ?? null, order: index, type: step.type,
      count,
      conversion_rate: entered === 0 ? 0 : count / entered,
      step_conversion_rate: previous === 0 ? 0 : count / previous,
      dropped_off: previous - count,
      average_conversion_time: seconds.length ? seconds.reduce((sum, value) => sum + value, 0) / seconds.length : null,
      median_conversion_time: median(seconds),
    };
    if (breakdownValue !== undefined) result.breakdown_value = breakdownValue;
    return result;
  });
}

export interface TimeToConvertResult { bins: Array<[number, number]>; average_conversion_time: number | null; median_conversion_time: number | null }

function timeToConvert(outcomes: PersonOutcome[], stepCount: number, binCount: number): TimeToConvertResult {
  const seconds = outcomes.filter((outcome) => outcome.match.steps === stepCount).map((outcome) => (outcome.match.times[stepCount - 1]! - outcome.match.times[0]!) / 1000);
  if (seconds.length === 0) return { bins: [], average_conversion_time: null, median_conversion_time: null };
  const min = Math.min(...seconds);
  const width = Math.max(1, Math.ceil((Math.max(...seconds) - min + 1) / binCount));
  const bins: Array<[number, number]> = Array.from({ length: binCount }, (_, index) => [Math.floor(min) + index * width, 0]);
  for (const value of seconds) bins[Math.min(binCount - 1, Math.floor((value - Math.floor(min)) / width))]![1]++;
  return { bins, average_conversion_time: seconds.reduce((sum, value) => sum + value, 0) / seconds.length, median_conversion_time: median(seconds) };
}

/** PostHog's funnel result: the steps (one list per breakdown value when broken down), a time-to-convert histogram, or conversion over time. */
export async function getFunnel(context: InsightContext, filter: InsightFilter): Promise<FunnelStepResult[] | FunnelStepResult[][] | TimeToConvertResult | FunnelTrendsResult[]> {
  const { steps, labels, outcomes, unlistedEntrants } = await evaluateFunnel(context, filter, false);
  if (filter.funnel_viz_type === 'time_to_convert') return timeToConvert(outcomes, steps.length, filter.bin_count ?? 10);
  if (filter.funnel_viz_type === 'trends') return [await funnelTrends(context, filter, outcomes, steps.length)];
  if (filter.breakdown === undefined || filter.breakdown === null) return stepResults(steps, labels, outcomes, unlistedEntrants);
  const byValue = new Map<string, PersonOutcome[]>();
  for (const outcome of outcomes) {
    const list = byValue.get(outcome.breakdown!);
    if (list) list.push(outcome);
    else byValue.set(outcome.breakdown!, [outcome]);
  }
  const values = [...byValue.keys()].sort((a, b) => (a === breakdownOther ? 1 : 0) - (b === breakdownOther ? 1 : 0)
    || byValue.get(b)!.length - byValue.get(a)!.length || (a < b ? -1 : 1));
  return values.map((value) => stepResults(steps, labels, byValue.get(value)!, 0, value));
}

/** Persons who reached `step` (1-based), or with a negative step, who did step -step - 1 and dropped off before -step. */
export async function getFunnelPersonIds(context: InsightContext, filter: InsightFilter, step: number, breakdownValue?: string): Promise<string[]> {
  const { steps, outcomes } = await evaluateFunnel(context, filter, step === 1 || step === -2);
  if (step === 0 || Math.abs(step) > steps.length || step === -1) throw new InvalidQueryError(`funnel_step must be 1 to ${steps.length}, or -2 to -${steps.length} for drop-offs`, 'funnel_step');
  return outcomes
    .filter((outcome) => breakdownValue === undefined || outcome.breakdown === breakdownValue)
    .filter((outcome) => (step > 0 ? outcome.match.steps >= step : outcome.match.steps === -step - 1))
    .map((outcome) => outcome.personId);
}
