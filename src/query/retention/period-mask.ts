import type { SqlParams } from '../sql-params.ts';

/** SQL for a set of periods held per person as bits (bit k - 1: the k-th period, 1-based). */
export interface PeriodMask {
  /** No period. */
  none: string;
  /** The one period at 1-based `position` (NULL, which bit_or skips, when the position is). */
  of(position: string): string;
  /** Whether `mask` holds the period at 1-based `position`. */
  has(mask: string, position: string): string;
}

/**
 * A bigint while the periods fit in one: it is aggregated by value, where a bit string is
 * allocated per person, so grouping a few hundred thousand persons stays in memory (weekly
 * retention over 10M events: the bit strings' aggregate spilled to disk). Longer tables use
 * bit strings.
 */
export function periodMask(count: number, params: SqlParams): PeriodMask {
  if (count <= 63) {
    return {
      none: '0::int8',
      of: (position) => `(1::int8 << (${position} - 1))`,
      has: (mask, position) => `(${mask} & (1::int8 << (${position} - 1))) <> 0`,
    };
  }
  const none = `${params.add('0'.repeat(count))}::varbit`;
  return {
    none,
    of: (position) => `set_bit(${none}, ${position} - 1, 1)`,
    has: (mask, position) => `get_bit(${mask}, ${position} - 1) = 1`,
  };
}

/** Reads a mask as periodMask(count)'s SQL returns it (int8 text, or a bit string whose first character is the first period): whether it holds the 1-based `position`. */
export function readPeriodMask(mask: string, count: number): (position: number) => boolean {
  if (count > 63) return (position) => mask[position - 1] === '1';
  const bits = BigInt(mask);
  return (position) => ((bits >> BigInt(position - 1)) & 1n) === 1n;
}
