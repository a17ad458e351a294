/**
 * The ingestion buffer is split into this many shards; a worker owns whole shards. Fixed,
 * because web and worker processes must agree on it without talking to each other. It caps
 * the number of busy workers; more shards would split every mixed batch into more buffer rows.
 */
export const shardCount = 16;

/** FNV-1a over the project and distinct id: stable across processes and machines, and cheap. */
export function shardFor(projectId: number, distinctId: string): number {
  let hash = 0x811c9dc5 ^ projectId;
  for (let i = 0; i < distinctId.length; i++) {
    hash ^= distinctId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shardCount;
}
