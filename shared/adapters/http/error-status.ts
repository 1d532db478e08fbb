import type { ErrorCode, ServiceError } from "../../core/errors";

/** What each error code answers over HTTP: the one place a code meets a status. */
export const errorStatus = {
  MALFORMED_JSON: 400,
  INVALID_CURSOR: 400,
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  CONSUMER_NOT_FOUND: 404,
  PROVIDER_NOT_FOUND: 404,
  INTERACTION_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  ERASURE_NOT_FOUND: 404,
  CONSUMER_ALREADY_EXISTS: 409,
  PROVIDER_NUMBER_TAKEN: 409,
  NO_MESSAGING_PROVIDER: 409,
  PROFILE_REASSOCIATION_REQUIRED: 409,
  RECIPIENT_OPTED_OUT: 409,
  OUTSIDE_SEND_WINDOW: 409,
  INTERACTION_NOT_ACTIVE: 409,
  CONVERSATION_BUSY: 409,
  MESSAGE_NOT_RETRYABLE: 409,
  INVALID_PHONE_NUMBER: 422,
  UNKNOWN_SEND_FROM: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  MESSAGE_EMPTY: 422,
  MESSAGE_TOO_LONG: 422,
  INTERNAL_ERROR: 500,
  OUTCOME_UNKNOWN: 503,
} as const satisfies Record<ErrorCode, number>;

export interface ErrorBody {
  error: { code: ErrorCode; message: string } & Record<string, unknown>;
}

export function statusOf(error: ServiceError): number {
  return errorStatus[error.code];
}

export function errorBody(error: ServiceError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...error.details } };
}
