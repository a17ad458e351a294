import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import LZString from 'lz-string';
import type { RawCaptureRequest } from '../../src/capture/decode-body.ts';

/** Keys that matter to capture, to the counted properties or to JavaScript objects, mixed with random ones. */
const keys = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'event', 'distinct_id', '$distinct_id', 'properties',
    '$set', '$set_once', '$unset', '$elements', '$elements_chain', 'timestamp', 'offset', 'uuid', 'batch', 'api_key', 'token', '$token',
    'sent_at', 'data', '$anon_distinct_id', 'alias', '$group_type', '$group_key', '$group_set', '$process_person_profile', '$ip',
    '$ignore_sent_at', 'tag_name', 'attr__href', '$el_text', 'nth_child', '$browser', 'utm_source', '$brow\u0000ser'),
  fc.string({ maxLength: 12 }),
);

/** Any UTF-16 code unit, so lone surrogates and NUL appear as often as letters. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const anyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', 'NaN', 'Infinity', '\\', '\t\n\r', '\\N', '"', 'true', '2026-13-45', '-7d') },
);

const leaf = fc.oneof(anyText, fc.double(), fc.integer(), fc.boolean(), fc.constant(null),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -0, 1e308, 5e-324, Number.NaN, Number.POSITIVE_INFINITY));

/** JSON-like values of any shape, a few levels deep. */
export const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4 },
    { weight: 6, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(keys, tie('value'), { maxKeys: 4 }) },
  ),
})).value;

/** Now and then: a huge string, a long list, or nesting a little past capture's limit of 100 levels. */
const bigValue = fc.oneof(
  fc.integer({ min: 10_000, max: 300_000 }).map((length) => 'x'.repeat(length)),
  fc.integer({ min: 1000, max: 50_000 }).map((length) => Array.from({ length }, (_, i) => i)),
  fc.integer({ min: 90, max: 400 }).map((depth) => {
    let nested: unknown = 'bottom';
    for (let level = 0; level < depth; level++) nested = level % 2 ? [nested] : { a: nested };
    return nested;
  }),
);

const someProperties = fc.dictionary(keys, fc.oneof({ weight: 30, arbitrary: anyValue }, { weight: 1, arbitrary: bigValue }), { maxKeys: 8 });

const time = fc.oneof(fc.date({ noInvalidDate: false }).map((date) => (Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString())),
  fc.integer(), fc.double(), anyText, anyValue);

const mostly = <T, U>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) => fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd });

/** Events close enough to valid that most reach normalisation, with any field broken now and then. */
export const anyEvent = fc.record({
  event: mostly(fc.constantFrom('$pageview', '$autocapture', '$identify', '$create_alias', '$groupidentify', '$set', 'purchase'), fc.oneof(anyText, anyValue)),
  distinct_id: mostly(fc.string({ minLength: 1, maxLength: 30 }), fc.oneof(anyText, fc.integer(), anyValue)),
  properties: mostly(someProperties, anyValue),
  timestamp: time,
  offset: fc.oneof(fc.integer(), fc.double(), anyValue),
  uuid: mostly(fc.uuid(), anyText),
  $set: mostly(someProperties, anyValue),
  $set_once: anyValue,
}, { requiredKeys: ['event', 'distinct_id'] });

/** Payloads in every shape an SDK sends (and others), with the project token where one belongs. */
export function anyPayload(token: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    anyEvent.map((event) => ({ ...event, api_key: token })),
    fc.array(anyEvent, { minLength: 1, maxLength: 6 }).map((batch) => ({ api_key: token, batch })),
    fc.record({ api_key: fc.constant(token), batch: fc.array(anyEvent, { maxLength: 4 }), sent_at: time }),
    fc.array(anyEvent.map((event) => ({ ...event, properties: { token } })), { maxLength: 4 }),
    anyValue,
  );
}

/** What posthog-js and posthog-node send to /flags and /decide, with every field broken now and then. */
export function anyFlagsPayload(token: string): fc.Arbitrary<unknown> {
  return fc.record({
    token: mostly(fc.constant(token), anyValue),
    distinct_id: mostly(fc.string({ minLength: 1, maxLength: 30 }), fc.oneof(anyText, fc.integer(), anyValue)),
    $anon_distinct_id: mostly(fc.string({ maxLength: 30 }), anyValue),
    person_properties: mostly(someProperties, anyValue),
    groups: mostly(fc.dictionary(fc.constantFrom('company', 'team', '__proto__'), fc.string({ maxLength: 10 })), anyValue),
    group_properties: mostly(fc.dictionary(fc.constantFrom('company', 'team', '__proto__'), someProperties), anyValue),
    flag_keys_to_evaluate: mostly(fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }), anyValue),
  }, { requiredKeys: ['token', 'distinct_id'] });
}

type Wrapping = (json: string) => { body: Buffer; query: Record<string, string | undefined>; contentEncoding?: string };

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** How the bytes travel: each of the SDKs' encodings, broken ways of them, and noise. */
const wrappings: Record<string, Wrapping> = {
  json: (json) => ({ body: utf8(json), query: {} }),
  gzip: (json) => ({ body: gzipSync(json), query: { compression: 'gzip-js' } }),
  gzipHeader: (json) => ({ body: gzipSync(json), query: {}, contentEncoding: 'gzip' }),
  gzipTruncated: (json) => { const bytes = gzipSync(json); return { body: bytes.subarray(0, Math.max(2, bytes.length >> 1)), query: {} }; },
  base64Form: (json) => ({ body: utf8(`data=${encodeURIComponent(Buffer.from(json).toString('base64'))}`), query: {} }),
  base64GzipForm: (json) => ({ body: utf8(`data=${encodeURIComponent(gzipSync(json).toString('base64'))}`), query: {} }),
  base64BrokenGzipForm: (json) => ({ body: utf8(`data=${encodeURIComponent(gzipSync(json).subarray(0, 12).toString('base64'))}`), query: {} }),
  lz64Form: (json) => ({ body: utf8(`data=${encodeURIComponent(LZString.compressToBase64(json))}&compression=lz64`), query: {} }),
  lz64Truncated: (json) => ({ body: utf8(LZString.compressToBase64(json).slice(0, 20)), query: { compression: 'lz64' } }),
  queryData: (json) => ({ body: Buffer.alloc(0), query: { data: Buffer.from(json).toString('base64') } }),
  nonFinite: (json) => ({ body: utf8(json.replace(/\b(0|1)\b/g, (digit) => (digit === '0' ? 'NaN' : '-Infinity'))), query: {} }),
  invalidUtf8: (json) => {
    const bytes = Buffer.from(json, 'utf8');
    const at = Math.floor(bytes.length / 2);
    return { body: Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), bytes.subarray(at)]), query: {} };
  },
  truncated: (json) => ({ body: utf8(json.slice(0, json.length >> 1)), query: {} }),
  wrongHint: (json) => ({ body: utf8(json), query: { compression: 'lz64' } }),
};

/** One raw request: a payload, serialised, then carried in one of the wrappings, or plain random bytes. */
export function anyRawRequest(token: string, payloads = anyPayload(token)): fc.Arbitrary<RawCaptureRequest & { wrapping: string }> {
  const wrapped = fc.tuple(payloads, fc.constantFrom(...Object.keys(wrappings))).map(([payload, wrapping]) => {
    let json: string;
    try {
      json = JSON.stringify(payload) ?? 'null';
    } catch {
      json = '{"deep": true}';
    }
    return { ...wrappings[wrapping]!(json), wrapping };
  });
  const noise = fc.tuple(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom(undefined, 'gzip', 'gzip-js', 'lz64', 'base64', 'GZIP', 'br'))
    .map(([bytes, compression]) => ({ body: Buffer.from(bytes), query: { compression }, wrapping: 'random bytes' }));
  // Deeper than any recursion in JavaScript can follow: 2,000 to 200,000 levels of brackets.
  const deep = fc.tuple(fc.integer({ min: 2000, max: 200_000 }), fc.constantFrom('[', '{"a":'))
    .map(([depth, open]) => {
      const close = open === '[' ? ']' : '}';
      const json = `{"api_key":${JSON.stringify(token)},"event":"deep","distinct_id":"d","properties":{"p":${open.repeat(depth)}1${close.repeat(depth)}}}`;
      return { body: utf8(json), query: {}, wrapping: 'deep nesting' };
    });
  return fc.oneof({ weight: 12, arbitrary: wrapped }, { weight: 2, arbitrary: noise }, { weight: 1, arbitrary: deep })
    .map((request) => ({ query: request.query, contentEncoding: 'contentEncoding' in request ? request.contentEncoding : undefined, body: request.body, wrapping: request.wrapping }));
}
