import type { FastifyRequest } from 'fastify';
import { ApiError } from './api-error.ts';

/** Opaque keyset cursors: the sort key of the last row returned, base64url JSON. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, isValid: (value: unknown) => value is T): T | undefined {
  if (!cursor) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ApiError('invalid_input', 'cursor is not valid', 'cursor');
  }
  if (!isValid(value)) throw new ApiError('invalid_input', 'cursor is not valid', 'cursor');
  return value;
}

/** The request's own URL with `cursor` replaced, as an absolute URL. */
export function nextUrl(request: FastifyRequest, cursor: string): string {
  const url = new URL(request.url, `${request.protocol}://${request.headers.host ?? 'localhost'}`);
  url.searchParams.set('cursor', cursor);
  return url.toString();
}

/**
 * A page from rows fetched with one extra row past `limit`: that extra row only says another
 * page exists, and `next` points at it through the cursor of the last row shown.
 */
export function paginate<Row>(request: FastifyRequest, rows: Row[], limit: number, cursorOf: (row: Row) => unknown): { results: Row[]; next: string | null } {
  const results = rows.slice(0, limit);
  const last = results.at(-1);
  return { results, next: rows.length > limit && last ? nextUrl(request, encodeCursor(cursorOf(last))) : null };
}
