/** Every error the REST API returns, with a stable code a client can branch on. */
const catalogue = {
  not_authenticated: { status: 401, type: 'authentication_error', detail: 'Authentication required: send Authorization: Bearer <personal API key>' },
  invalid_key: { status: 401, type: 'authentication_error', detail: 'Personal API key is not valid' },
  not_found: { status: 404, type: 'invalid_request', detail: 'Not found' },
  invalid_input: { status: 400, type: 'validation_error', detail: 'Invalid input' },
  unavailable: { status: 503, type: 'server_error', detail: 'The database is unreachable; retry later' },
  internal: { status: 500, type: 'server_error', detail: 'Internal error' },
} as const;

export type ApiErrorCode = keyof typeof catalogue;

export class ApiError extends Error {
  readonly statusCode: number;
  readonly type: string;

  constructor(readonly code: ApiErrorCode, detail?: string, readonly attr?: string) {
    super(detail ?? catalogue[code].detail);
    this.statusCode = catalogue[code].status;
    this.type = catalogue[code].type;
  }

  toBody() {
    return { type: this.type, code: this.code, detail: this.message, attr: this.attr ?? null };
  }
}
