/**
 * Every error the API can answer, with its HTTP status. Declared once: handlers throw
 * `ApiError(code, message)` and the HTTP layer maps the code to the status here.
 * Later features add their codes to this list, never a status literal elsewhere.
 */
export const errorStatus = {
  // request shape
  MALFORMED_JSON: 400,
  INVALID_CURSOR: 400,
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // identity
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  // lookups
  ROUTE_NOT_FOUND: 404,
  CONSUMER_NOT_FOUND: 404,
  PROVIDER_NOT_FOUND: 404,
  INTERACTION_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  // conflicts with stored state
  CONSUMER_ALREADY_EXISTS: 409,
  PROVIDER_NUMBER_TAKEN: 409,
  NO_MESSAGING_PROVIDER: 409,
  PROFILE_REASSOCIATION_REQUIRED: 409,
  RECIPIENT_OPTED_OUT: 409,
  INTERACTION_NOT_ACTIVE: 409,
  CONVERSATION_BUSY: 409,
  MESSAGE_NOT_RETRYABLE: 409,
  // well-formed but unusable
  INVALID_PHONE_NUMBER: 422,
  UNKNOWN_SEND_FROM: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  MESSAGE_EMPTY: 422,
  MESSAGE_TOO_LONG: 422,
  // ours
  INTERNAL_ERROR: 500,
  OUTCOME_UNKNOWN: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

export const errorCodes = Object.keys(errorStatus) as ErrorCode[];

/** An expected failure: carries a code from the list above and a message that says what to fix. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields placed beside `code` and `message` in the error body (never internals). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string } & Record<string, unknown>;
}

export function errorBody(error: ApiError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...error.details } };
}
