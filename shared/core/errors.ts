/**
 * The service's error vocabulary, declared once. The domain throws `ServiceError(code, message)`;
 * each outer ring says what a code means on its side (the HTTP status of each code is declared
 * once, beside the HTTP handler, and nowhere else). Later features add their codes here.
 */
export const errorCodes = [
  // request shape
  "MALFORMED_JSON",
  "INVALID_CURSOR",
  "VALIDATION_FAILED",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  // identity
  "UNAUTHORIZED",
  "FORBIDDEN",
  // lookups
  "ROUTE_NOT_FOUND",
  "CONSUMER_NOT_FOUND",
  "PROVIDER_NOT_FOUND",
  "INTERACTION_NOT_FOUND",
  "MESSAGE_NOT_FOUND",
  "ERASURE_NOT_FOUND",
  // conflicts with stored state
  "CONSUMER_ALREADY_EXISTS",
  "PROVIDER_NUMBER_TAKEN",
  "NO_MESSAGING_PROVIDER",
  "PROFILE_REASSOCIATION_REQUIRED",
  "RECIPIENT_OPTED_OUT",
  "INTERACTION_NOT_ACTIVE",
  "CONVERSATION_BUSY",
  "MESSAGE_NOT_RETRYABLE",
  "OUTSIDE_SEND_WINDOW",
  // well-formed but unusable
  "INVALID_PHONE_NUMBER",
  "UNKNOWN_SEND_FROM",
  "IDEMPOTENCY_KEY_REUSED",
  "MESSAGE_EMPTY",
  "MESSAGE_TOO_LONG",
  // ours
  "INTERNAL_ERROR",
  "OUTCOME_UNKNOWN",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** An expected failure: a code from the list above and a message that says what to fix. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields placed beside `code` and `message` in the answer (never internals). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}
