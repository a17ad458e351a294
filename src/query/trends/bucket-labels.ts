import type { Interval } from '../insight-filter.ts';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** PostHog's `labels` ("1-Jan-2024", with the time for minutes and hours) and `days` for bucket keys 'YYYY-MM-DD HH:MM:SS'. */
export function bucketLabels(buckets: string[], interval: Interval): { labels: string[]; days: string[] } {
  const withTime = interval === 'minute' || interval === 'hour';
  return {
    days: buckets.map((key) => (withTime ? key : key.slice(0, 10))),
    labels: buckets.map((key) => {
      const [year, month, day] = key.slice(0, 10).split('-');
      const date = `${Number(day)}-${months[Number(month) - 1]}-${year}`;
      return withTime ? `${date} ${key.slice(11, 16)}` : date;
    }),
  };
}
