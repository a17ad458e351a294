import { hash, verify } from '@node-rs/argon2';

// OWASP's first choice (argon2id, 19 MiB, 2 passes, 1 lane) costs ~25 ms here: slow for a guesser, fine for a login.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const minPasswordLength = 8;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

/** A hash no password matches, verified for unknown emails so a login takes as long either way. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    decoy ??= hashPassword(`decoy-${Math.random()}`);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}
