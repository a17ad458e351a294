import { createHash } from 'node:crypto';

export interface CachedResult<T> { result: T; computedAt: Date; cached: boolean }

interface Entry { result: unknown; computedAt: Date }

/**
 * Insight results per web process, keyed by project, settings and filter. A result is reused
 * while younger than the age the caller allows (the server's limit, or a dashboard's refresh
 * time), so nobody sees data older than that; identical requests in flight share one query.
 */
export class InsightCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();

  constructor(private readonly maxEntries = 2000) {}

  static key(parts: unknown[]): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  }

  async get<T>(key: string, maxAgeMs: number, compute: () => Promise<T>): Promise<CachedResult<T>> {
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.computedAt.getTime() < maxAgeMs) return { result: entry.result as T, computedAt: entry.computedAt, cached: true };
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = compute().then((result) => ({ result, computedAt: new Date() }));
      this.inFlight.set(key, pending);
      pending.then((fresh) => this.store(key, fresh), () => undefined).finally(() => this.inFlight.delete(key));
    }
    const fresh = await pending;
    return { result: fresh.result as T, computedAt: fresh.computedAt, cached: false };
  }

  private store(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    // Maps iterate in insertion order: the first key is the least recently stored.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
