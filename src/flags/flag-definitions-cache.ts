import type { Queryable } from '../db/pool.ts';
import type { FlagDefinitions } from './evaluate-flags.ts';
import { loadFlagDefinitions } from './load-flag-definitions.ts';

interface Entry { definitions: FlagDefinitions; loadedAt: number; refreshing?: Promise<FlagDefinitions> }

export interface FlagCacheTimes {
  /** Served as they are for this long after loading. */
  freshMs: number;
  /** Until then, served while one reload runs in the background; past it, requests wait for the reload. */
  staleMs: number;
}

const maxProjects = 10_000;

/**
 * Flag definitions per project, kept in each web process so /flags costs no definition query.
 * An edit made through this process drops its entry at once; other processes pick it up within
 * `freshMs`, because each project is reloaded in the background when its entry is older.
 */
export class FlagDefinitionsCache {
  private readonly entries = new Map<number, Entry>();
  private readonly loading = new Map<number, Promise<FlagDefinitions>>();
  // Bumped by invalidate(), so a load that began before an edit never stores what it read.
  private readonly generations = new Map<number, number>();

  constructor(private readonly db: Queryable, private readonly times: FlagCacheTimes = { freshMs: 2000, staleMs: 60_000 }) {}

  async get(projectId: number): Promise<FlagDefinitions> {
    const entry = this.entries.get(projectId);
    const age = entry ? Date.now() - entry.loadedAt : Infinity;
    if (entry && age < this.times.freshMs) return entry.definitions;
    if (entry && age < this.times.staleMs) {
      entry.refreshing ??= this.load(projectId).catch(() => entry.definitions).finally(() => { entry.refreshing = undefined; });
      return entry.definitions;
    }
    return this.load(projectId);
  }

  invalidate(projectId: number): void {
    this.entries.delete(projectId);
    this.loading.delete(projectId);
    this.generations.set(projectId, (this.generations.get(projectId) ?? 0) + 1);
  }

  private load(projectId: number): Promise<FlagDefinitions> {
    const inFlight = this.loading.get(projectId);
    if (inFlight) return inFlight;
    const started = Date.now();
    const generation = this.generations.get(projectId) ?? 0;
    const promise = loadFlagDefinitions(this.db, projectId).then((definitions) => {
      if ((this.generations.get(projectId) ?? 0) !== generation) return definitions;
      if (this.entries.size >= maxProjects) this.entries.clear();
      this.entries.set(projectId, { definitions, loadedAt: started });
      return definitions;
    }).finally(() => { if (this.loading.get(projectId) === promise) this.loading.delete(projectId); });
    this.loading.set(projectId, promise);
    return promise;
  }
}
