type Json = Record<string, unknown>;

// defineProperty, not assignment: a key named "__proto__" must stay a plain property.
function setOwn(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface PropertyUpdates { set?: Json; setOnce?: Json; unset?: string[] }

/** Applies updates in PostHog's order (set_once, set, unset); returns whether anything changed. */
export function applyPropertyUpdates(properties: Json, updates: PropertyUpdates): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(updates.setOnce ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(properties, key)) {
      setOwn(properties, key, value);
      changed = true;
    }
  }
  for (const [key, value] of Object.entries(updates.set ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(properties, key) || JSON.stringify(properties[key]) !== JSON.stringify(value)) {
      setOwn(properties, key, value);
      changed = true;
    }
  }
  for (const key of updates.unset ?? []) {
    if (Object.prototype.hasOwnProperty.call(properties, key)) {
      delete properties[key];
      changed = true;
    }
  }
  return changed;
}

/** Merged properties where `winner`'s values take precedence. */
export function combineProperties(winner: Json, loser: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(loser)) setOwn(out, key, value);
  for (const [key, value] of Object.entries(winner)) setOwn(out, key, value);
  return out;
}
