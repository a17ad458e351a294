import { ApiError } from './api-error.ts';

/** A numeric id from the URL; anything else is simply not found. */
export function idParam(value: string, what: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new ApiError('not_found', `${what} not found`);
  return Number(value);
}

export function found<T>(value: T | undefined | false, what: string): T {
  if (value === undefined || value === false) throw new ApiError('not_found', `${what} not found`);
  return value;
}
