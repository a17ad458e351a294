/** The one way the app talks to Sounder's REST API: same-origin cookie session, CSRF token on writes. */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string, readonly attr?: string | null) {
    super(message);
  }
}

export async function api<T>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch {
    throw new ApiError(0, 'Sounder cannot be reached. Check that it is running, then retry.');
  }
  if (response.status === 204) return undefined as T;
  const data = await response.json().catch(() => null) as { detail?: string; code?: string; attr?: string | null } | null;
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? `Request failed (HTTP ${response.status})`, data?.code, data?.attr);
  return data as T;
}

export const post = <T>(path: string, body: unknown = {}) => api<T>(path, { method: 'POST', body });
export const patch = <T>(path: string, body: unknown) => api<T>(path, { method: 'PATCH', body });
export const remove = (path: string) => api<void>(path, { method: 'DELETE' });
