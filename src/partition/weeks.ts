const dayMs = 86_400_000;
export const weekMs = 7 * dayMs;

/** Monday 00:00 UTC of the week holding `date`: the lower bound of its weekly partition. */
export function weekStart(date: Date): Date {
  const day = Math.floor(date.getTime() / dayMs) * dayMs;
  const daysSinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - daysSinceMonday * dayMs);
}

export function addWeeks(date: Date, weeks: number): Date {
  return new Date(date.getTime() + weeks * weekMs);
}

/** `20261123`: how a week appears in partition names. */
export function weekLabel(week: Date): string {
  return week.toISOString().slice(0, 10).replace(/-/g, '');
}

/** Every Monday from `from` (a week start) up to and including `to`. */
export function weeksBetween(from: Date, to: Date): Date[] {
  const weeks: Date[] = [];
  for (let week = from; week.getTime() <= to.getTime(); week = addWeeks(week, 1)) weeks.push(week);
  return weeks;
}
