/**
 * Whether a parsed JSON value nests objects and arrays deeper than `limit`. The recursion stops
 * at the limit, so no input can exhaust the stack here; JSON.stringify and Postgres' jsonb
 * parser would (the first past about ten thousand levels, the second sooner). Runs on every
 * captured event, hence plain loops that allocate nothing.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  return typeof value === 'object' && value !== null && deeper(value, limit);
}

function deeper(container: object, levelsLeft: number): boolean {
  if (levelsLeft === 0) return true;
  if (Array.isArray(container)) {
    for (let index = 0; index < container.length; index++) {
      const child: unknown = container[index];
      if (typeof child === 'object' && child !== null && deeper(child, levelsLeft - 1)) return true;
    }
    return false;
  }
  for (const key in container) {
    const child: unknown = (container as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null && deeper(child, levelsLeft - 1)) return true;
  }
  return false;
}
