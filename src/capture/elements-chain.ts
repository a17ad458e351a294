type Json = Record<string, unknown>;

interface Element {
  tagName?: string;
  text?: string;
  href?: string;
  attrId?: string;
  classes: string[];
  nthChild: number;
  nthOfType: number;
  attributes: Array<[string, string]>;
}

const escapeQuotes = (value: string) => value.replace(/"/g, '\\"');

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function classNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item.length > 0);
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  return [];
}

function readElement(raw: Json): Element {
  const attributes: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('attr__')) attributes.push([key, asText(value) ?? '']);
  }
  return {
    tagName: asText(raw.tag_name),
    text: asText(raw.$el_text)?.slice(0, 400),
    href: asText(raw.attr__href)?.slice(0, 2048),
    attrId: asText(raw.attr__id),
    classes: classNames(raw.attr__class),
    nthChild: Number(raw.nth_child) || 0,
    nthOfType: Number(raw.nth_of_type) || 0,
    attributes,
  };
}

function elementToString(element: Element): string {
  let out = element.tagName ?? '';
  for (const name of [...element.classes].sort()) out += `.${name.replace(/"/g, '')}`;
  const attributes = new Map<string, string>();
  if (element.text) attributes.set('text', element.text);
  attributes.set('nth-child', String(element.nthChild));
  attributes.set('nth-of-type', String(element.nthOfType));
  if (element.href) attributes.set('href', element.href);
  if (element.attrId) attributes.set('attr_id', element.attrId);
  for (const [key, value] of element.attributes) attributes.set(key, value);
  const sorted = [...attributes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${out}:${sorted.map(([key, value]) => `${escapeQuotes(key)}="${escapeQuotes(value)}"`).join('')}`;
}

/**
 * posthog-js autocapture sends `$elements` (innermost element first); PostHog stores them as
 * one `elements_chain` string: `tag.class1.class2:attr="value"...;parent...`, attributes sorted.
 */
export function buildElementsChain(elements: unknown): string {
  if (!Array.isArray(elements)) return '';
  return elements
    .filter((item): item is Json => typeof item === 'object' && item !== null && !Array.isArray(item))
    .map((raw) => elementToString(readElement(raw)))
    .join(';');
}
