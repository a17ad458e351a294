import type { FlagResult } from './evaluate-flags.ts';

/** Which answer shape the caller reads: `/decide?v=N` (N = 1..4) or `/flags?v=N` (N = 1, 2). */
export interface AnswerShape { endpoint: 'decide' | 'flags'; version: number }

/** A payload is served as the text of a JSON document; the SDKs parse it back (a plain string stays a string). */
function payloadText(payload: unknown): string | undefined {
  if (payload === undefined || payload === null) return undefined;
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}

function payloadOf(result: FlagResult): string | undefined {
  if (!result.enabled) return undefined;
  return payloadText(result.flag.filters.payloads[result.variant ?? 'true']);
}

function flagValue(result: FlagResult): string | boolean {
  return result.enabled ? (result.variant ?? true) : false;
}

/**
 * The flag part of an answer, in every shape an SDK version reads: the old map of values with
 * payloads beside it, and the newer `flags` map of details. Old /decide versions get only what
 * they read: v1 a list of enabled keys, v2 enabled flags only.
 */
export function flagsAnswerBody(results: FlagResult[], shape: AnswerShape, errorsWhileComputingFlags: boolean) {
  const featureFlagPayloads: Record<string, string> = {};
  const flags: Record<string, unknown> = {};
  const values: Record<string, string | boolean> = {};
  for (const result of results) {
    const payload = payloadOf(result);
    if (payload !== undefined) featureFlagPayloads[result.flag.key] = payload;
    values[result.flag.key] = flagValue(result);
    flags[result.flag.key] = {
      key: result.flag.key,
      enabled: result.enabled,
      variant: result.variant,
      reason: result.reason,
      metadata: { id: result.flag.id, version: result.flag.version, description: result.flag.name || null, payload },
    };
  }
  const enabledKeys = results.filter((result) => result.enabled).map((result) => result.flag.key);
  let featureFlags: Record<string, string | boolean> | string[] = values;
  if (shape.endpoint === 'decide' && shape.version < 2) featureFlags = enabledKeys;
  else if (shape.endpoint === 'decide' && shape.version === 2) featureFlags = Object.fromEntries(enabledKeys.map((key) => [key, values[key]!]));
  return { featureFlags, featureFlagPayloads, flags, errorsWhileComputingFlags };
}
