import { findProjectByToken, type CaptureProject } from '../accounts/projects.ts';
import type { Queryable } from '../db/pool.ts';

const knownTtlMs = 60_000;
const unknownTtlMs = 5_000;

/**
 * Token → project (id and capture settings), cached so capture costs no lookup per request; a
 * settings change reaches each web process within a minute. Unknown tokens are cached briefly
 * so a flood of bad tokens does not become a flood of queries.
 */
export class TokenCache {
  private readonly entries = new Map<string, { project: CaptureProject | undefined; expiresAt: number }>();

  constructor(private readonly db: Queryable) {}

  async projectIdFor(token: string): Promise<number | undefined> {
    return (await this.projectFor(token))?.id;
  }

  async projectFor(token: string): Promise<CaptureProject | undefined> {
    // Postgres text cannot hold these, so no project has such a token; asking would be an error.
    if (token.includes('\u0000') || !token.isWellFormed()) return undefined;
    const now = Date.now();
    const cached = this.entries.get(token);
    if (cached && cached.expiresAt > now) return cached.project;
    const project = await findProjectByToken(this.db, token);
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(token, { project, expiresAt: now + (project === undefined ? unknownTtlMs : knownTtlMs) });
    return project;
  }
}
