// Python-based senders emit bare NaN / Infinity, which are not JSON; PostHog reads them as null.
const nonFiniteOutsideStrings = /("(?:[^"\\]|\\.)*")|-?\bInfinity\b|\bNaN\b/g;

/** JSON.parse that tolerates NaN/Infinity literals, and returns undefined instead of throwing. */
export function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    if (!/NaN|Infinity/.test(text)) return undefined;
    try {
      return JSON.parse(text.replace(nonFiniteOutsideStrings, (_match, quoted: string | undefined) => quoted ?? 'null'));
    } catch {
      return undefined;
    }
  }
}
