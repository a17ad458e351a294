import { createHash, randomBytes } from 'node:crypto';

/** A random token for a cookie, invite link or key; only its `hashToken` is stored. */
export function newSecretToken(prefix = ''): string {
  return `${prefix}${randomBytes(30).toString('base64url')}`;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
