/** A capture request Sounder refuses, with the HTTP status and the body the SDK receives. */
export class CaptureError extends Error {
  constructor(
    readonly statusCode: number,
    readonly type: 'validation_error' | 'authentication_error' | 'server_error' | 'throttled_error',
    readonly code: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
    /** Sent as Retry-After: when an SDK should send again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
  }

  toBody(): Record<string, unknown> {
    return { type: this.type, code: this.code, detail: this.message, ...this.extra };
  }
}

export const invalidPayload = (detail: string) => new CaptureError(400, 'validation_error', 'invalid_payload', detail);
