import { gzipSync } from 'node:zlib';

export interface SendOptions { path?: string; gzip?: boolean; headers?: Record<string, string>; query?: string }

/** POSTs a JSON payload the way an SDK would; returns status and parsed body. */
export async function sendCapture(baseUrl: string, payload: unknown, options: SendOptions = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const json = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const body = options.gzip ? gzipSync(json) : json;
  const response = await fetch(`${baseUrl}${options.path ?? '/batch/'}${options.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.gzip ? { 'content-encoding': 'gzip' } : {}), ...options.headers },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: response.status, body: parsed, headers: response.headers };
}
