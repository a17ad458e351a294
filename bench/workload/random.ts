/** mulberry32: a small, fast, seedable PRNG, so every run and machine sees the same workload. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** Characters of base 36, as Math.random().toString(36) gives them. */
  base36(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 36).toString(36);
    return out;
  }

  /**
   * A version-7 UUID for an instant, as posthog-js makes its event, session, window, page view
   * and device ids: the milliseconds since the epoch in the first 48 bits, then random bits
   * drawn from the stream.
   */
  uuidv7(ms: number): string {
    const time = Math.floor(ms).toString(16).padStart(12, '0');
    const h = this.hex(20);
    return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${h.slice(0, 3)}-${'89ab'[this.int(0, 3)]}${h.slice(3, 6)}-${h.slice(6, 18)}`;
  }

  /** A version-4-shaped UUID drawn from the stream. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}
