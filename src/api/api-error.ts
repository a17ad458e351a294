/** Every error the REST API returns, with a stable code a client can branch on. */
const catalogue = {
  not_authenticated: { status: 401, type: 'authentication_error', detail: 'Authentication required: log in, or send Authorization: Bearer <personal API key>' },
  invalid_key: { status: 401, type: 'authentication_error', detail: 'Personal API key is not valid' },
  invalid_credentials: { status: 401, type: 'authentication_error', detail: 'Wrong email or password' },
  csrf_failed: { status: 403, type: 'authentication_error', detail: 'Missing or wrong X-CSRF-Token header: reload the page' },
  permission_denied: { status: 403, type: 'authentication_error', detail: 'You do not have permission to do this' },
  not_found: { status: 404, type: 'invalid_request', detail: 'Not found' },
  conflict: { status: 409, type: 'invalid_request', detail: 'Already exists' },
  invalid_input: { status: 400, type: 'validation_error', detail: 'Invalid input' },
  rate_limited: { status: 429, type: 'throttled_error', detail: 'Too many attempts; retry later' },
  unavailable: { status: 503, type: 'server_error', detail: 'The database is unreachable; retry later' },
  internal: { status: 500, type: 'server_error', detail: 'Internal error' },
} as const;

export type ApiErrorCode = keyof typeof catalogue;

export class ApiError extends Error {
  readonly statusCode: number;
  readonly type: string;
  /** Sent as Retry-After, for errors that pass with time. */
  retryAfterSeconds?: number;

  constructor(readonly code: ApiErrorCode, detail?: string, readonly attr?: string) {
    super(detail ?? catalogue[code].detail);
    this.statusCode = catalogue[code].status;
    this.type = catalogue[code].type;
  }

  toBody() {
    return { type: this.type, code: this.code, detail: this.message, attr: this.attr ?? null };
  }
}
