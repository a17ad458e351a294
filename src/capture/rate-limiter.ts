export interface RateLimit {
  /** Sustained events per second a project may send to one web process; 0 means no limit. */
  eventsPerSecond: number;
  /** How many seconds of that rate a project may send at once after being quiet. */
  burstSeconds: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket { events: number; updatedAt: number }

const maxBuckets = 100_000;

/**
 * A token bucket of events per project, in one web process. A request gets in when the bucket
 * holds all its events; a batch bigger than the whole burst gets in when the bucket is full and
 * leaves it in debt, so the average never exceeds the rate. Per process: with N web processes a
 * project can send N times the rate; size it that way.
 */
export class CaptureRateLimiter {
  private readonly buckets = new Map<number, Bucket>();
  private readonly capacity: number;

  constructor(private readonly limit: RateLimit) {
    this.capacity = Math.max(1, limit.eventsPerSecond * limit.burstSeconds);
  }

  take(projectId: number, events: number, now = Date.now()): RateDecision {
    const rate = this.limit.eventsPerSecond;
    if (rate <= 0) return { allowed: true };
    let bucket = this.buckets.get(projectId);
    if (!bucket) {
      if (this.buckets.size >= maxBuckets) this.buckets.clear();
      this.buckets.set(projectId, bucket = { events: this.capacity, updatedAt: now });
    }
    bucket.events = Math.min(this.capacity, bucket.events + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    const needed = Math.min(events, this.capacity);
    if (bucket.events < needed) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((needed - bucket.events) / rate)) };
    bucket.events -= events;
    return { allowed: true };
  }
}
