import { createHash } from 'node:crypto';
import type { FlagVariant } from './flag-definition.ts';

const longScale = 0xfffffffffffffff;

/**
 * PostHog's bucketing: the first 15 hex digits of sha1("<flag key>.<id><salt>") as a fraction
 * of 0xFFFFFFFFFFFFFFF. The division runs in doubles, exactly as the SDKs compute it, so every
 * id falls on the same side of every rollout boundary in the server and in the SDKs.
 */
export function flagHash(flagKey: string, bucketingValue: string, salt = ''): number {
  const hex = createHash('sha1').update(`${flagKey}.${bucketingValue}${salt}`).digest('hex');
  return parseInt(hex.slice(0, 15), 16) / longScale;
}

/** Rollouts include the boundary: an id whose hash equals the percentage is in. */
export function isInRollout(flagKey: string, bucketingValue: string, rolloutPercentage: number | null | undefined): boolean {
  if (rolloutPercentage == null) return true;
  return flagHash(flagKey, bucketingValue) <= rolloutPercentage / 100;
}

/** The variant whose slice of [0, 1) holds the id's variant hash; undefined when the slices leave a gap. */
export function variantFor(flagKey: string, bucketingValue: string, variants: FlagVariant[]): string | undefined {
  const hash = flagHash(flagKey, bucketingValue, 'variant');
  let low = 0;
  for (const variant of variants) {
    const high = low + variant.rollout_percentage / 100;
    if (hash >= low && hash < high) return variant.key;
    low = high;
  }
  return undefined;
}
