import { findProjectIdByToken } from '../accounts/projects.ts';
import type { Queryable } from '../db/pool.ts';

const knownTtlMs = 60_000;
const unknownTtlMs = 5_000;

/**
 * Token → project id, cached so capture costs no lookup per request. Unknown tokens are
 * cached briefly so a flood of bad tokens does not become a flood of queries.
 */
export class TokenCache {
  private readonly entries = new Map<string, { projectId: number | undefined; expiresAt: number }>();

  constructor(private readonly db: Queryable) {}

  async projectIdFor(token: string): Promise<number | undefined> {
    // Postgres text cannot hold these, so no project has such a token; asking would be an error.
    if (token.includes('\u0000') || !token.isWellFormed()) return undefined;
    const now = Date.now();
    const cached = this.entries.get(token);
    if (cached && cached.expiresAt > now) return cached.projectId;
    const projectId = await findProjectIdByToken(this.db, token);
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(token, { projectId, expiresAt: now + (projectId === undefined ? unknownTtlMs : knownTtlMs) });
    return projectId;
  }
}
