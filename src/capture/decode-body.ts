import { gunzipSync } from 'node:zlib';
import LZString from 'lz-string';
import { invalidPayload, CaptureError } from './capture-error.ts';
import { parseJsonLenient } from './parse-json.ts';

export interface RawCaptureRequest {
  query: Record<string, string | undefined>;
  contentEncoding: string | undefined;
  body: Buffer | undefined;
}

export interface DecodedCapture {
  payload: unknown;
  /** The form field `api_key`, first in PostHog's token lookup order. */
  formApiKey?: string;
}

const gzipMagic = [0x1f, 0x8b];

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === gzipMagic[0] && bytes[1] === gzipMagic[1];
}

function gunzip(bytes: Buffer, maxOutputLength: number): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CaptureError(413, 'validation_error', 'payload_too_large', `decompressed body is larger than ${maxOutputLength} bytes`);
    }
    throw invalidPayload('body is not valid gzip');
  }
}

// Senders label JSON as a form (curl -d) and forms as text/plain, so the bytes decide.
function looksLikeForm(text: string): boolean {
  return /^(data|compression|api_key|ver|ip|_)=/.test(text) || (/^[\w$.%-]+=/.test(text) && !/^\s*[[{]/.test(text));
}

/** `data` values arrive as base64 (with `+` turned to spaces by form encoding), lz64, or plain JSON. */
function decodeDataField(data: string, compression: string | undefined, maxDecodedBytes: number): unknown {
  if (compression === 'lz64') {
    let text: string | null = null;
    try {
      text = LZString.decompressFromBase64(data.replace(/ /g, '+'));
    } catch {
      // lz-string throws a TypeError on some truncated inputs instead of returning null.
    }
    const parsed = text ? parseJsonLenient(text) : undefined;
    if (parsed === undefined) throw invalidPayload('data is not valid lz64-compressed JSON');
    return parsed;
  }
  const trimmed = data.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const parsed = parseJsonLenient(trimmed);
    if (parsed !== undefined) return parsed;
  }
  const bytes = Buffer.from(trimmed.replace(/ /g, '+'), 'base64');
  const text = (isGzip(bytes) ? gunzip(bytes, maxDecodedBytes) : bytes).toString('utf8');
  const parsed = parseJsonLenient(text);
  if (parsed === undefined) throw invalidPayload('data is neither base64-encoded JSON nor JSON');
  return parsed;
}

/**
 * Turns any body an SDK sends into its JSON payload. Order of the compression hint: query
 * string, then form field, then Content-Encoding; gzip is also recognised by its magic bytes
 * whatever the hints say, because posthog-js sends gzip as text/plain without any.
 */
export function decodeCaptureBody(request: RawCaptureRequest, maxDecodedBytes: number): DecodedCapture {
  const queryCompression = request.query.compression?.toLowerCase();
  let bytes = request.body ?? Buffer.alloc(0);
  if (bytes.length === 0) {
    if (request.query.data) return { payload: decodeDataField(request.query.data, queryCompression, maxDecodedBytes) };
    throw invalidPayload('empty body: send a JSON event, a batch, or a data= field');
  }
  const headerCompression = request.contentEncoding?.toLowerCase();
  if (isGzip(bytes)) bytes = gunzip(bytes, maxDecodedBytes);
  const text = bytes.toString('utf8');

  if (looksLikeForm(text)) {
    const form = new URLSearchParams(text);
    const compression = queryCompression ?? form.get('compression')?.toLowerCase() ?? headerCompression;
    const data = form.get('data');
    if (data === null) throw invalidPayload('form body has no data field');
    return { payload: decodeDataField(data, compression, maxDecodedBytes), formApiKey: form.get('api_key') ?? undefined };
  }
  const compression = queryCompression ?? headerCompression;
  if (compression === 'lz64') return { payload: decodeDataField(text, 'lz64', maxDecodedBytes) };
  const payload = parseJsonLenient(text);
  if (payload === undefined) throw invalidPayload('body is not valid JSON');
  return { payload };
}
