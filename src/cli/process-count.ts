/** Parses a --processes / --workers / --web count. */
export function parseProcessCount(flag: string, value: string, max = 64): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > max) throw new Error(`${flag} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
  return count;
}
