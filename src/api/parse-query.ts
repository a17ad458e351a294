import type { z } from 'zod';
import { ApiError } from './api-error.ts';

/** Validates a request part with a schema; the first problem becomes a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const attr = issue.path.join('.') || undefined;
  throw new ApiError('invalid_input', attr ? `${attr}: ${issue.message}` : issue.message, attr);
}

/** A query-string parameter holding JSON (PostHog sends property filters that way). */
export function parseJsonParam(value: string | undefined, name: string): unknown {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new ApiError('invalid_input', `${name} is not valid JSON`, name);
  }
}
