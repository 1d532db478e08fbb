/**
 * Masking for logs: phone numbers and message bodies are personal data and never reach a log
 * line as they are.
 */

const MASK = "•";
/** Numbers with fewer digits than this keep only their last 2. */
const MIN_DIGITS_FOR_PREFIX = 7;
const KEEP_FIRST = 4;
const KEEP_LAST = 2;

/**
 * `+14155550171` → `+1415•••••71`: keeps the `+`, any formatting, the first 4 digits and the last
 * 2, and replaces every digit in between with `•`. With fewer than 7 digits only the last 2 stay.
 */
export function maskPhoneNumber(value: string): string {
  const text = String(value);
  const total = text.replace(/\D/g, "").length;
  const keepFirst = total < MIN_DIGITS_FOR_PREFIX ? 0 : KEEP_FIRST;
  let index = 0;
  return text.replace(/\d/g, (digit) => {
    const position = index++;
    return position < keepFirst || position >= total - KEEP_LAST ? digit : MASK;
  });
}

/** Keys whose values are phone numbers (strings or arrays of strings), compared case-insensitively. */
const PHONE_KEYS = new Set(
  [
    "phoneNumber",
    "phoneNumbers",
    "number",
    "e164",
    "to",
    "from",
    "originationNumber",
    "destinationNumber",
    "defaultSendTo",
    "defaultSendFrom",
    "sendTo",
  ].map((key) => key.toLowerCase()),
);

/** Keys whose string values are message text: only their length is kept. */
const TEXT_KEYS = new Set(["message", "body", "messageBody"].map((key) => key.toLowerCase()));

/**
 * A run of 7 or more digits, optionally after a `+` and with separators between them, standing on
 * its own: digits inside a word (`int_7371883bc4…`, a hash, a request id) are part of an id, and a
 * masked id could no longer be searched for.
 */
const DIGIT_RUN = /(?<!\w)\+?\d(?:[ \u00A0.\-/()]*\d){6,}(?!\w)/g;
/** ISO dates (2024-05-01) are not phone numbers: timestamps stay readable. */
const ISO_DATE = /^(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;

/** Masks every run of 7+ digits (with optional `+` and separators) inside free text. */
export function maskDigitRuns(text: string): string {
  return text.replace(DIGIT_RUN, (run) => (ISO_DATE.test(run) ? run : maskPhoneNumber(run)));
}

/**
 * A deep copy of `value` fit for a log line:
 * - values of phone keys (`phoneNumber`, `to`, `from`, `e164`, `sendTo`, ...) are masked with
 *   `maskPhoneNumber`, strings or arrays of strings alike;
 * - strings under `message`, `body` and `messageBody` become `[redacted N chars]` (N counts
 *   characters, not UTF-16 units); under those keys an object (such as an API answer's
 *   `message: { id, status }`) is copied like any other;
 * - any other string has its runs of 7+ digits masked (ISO dates and digits inside ids excepted).
 * Errors become plain objects (`name`, `message`, `stack`, own fields) with digit runs masked;
 * their message is kept, being diagnostics rather than a text someone wrote. Cycles are cut.
 */
export function redactPersonalData(value: unknown): unknown {
  return redact(value, undefined, new WeakSet());
}

function redact(value: unknown, key: string | undefined, seen: WeakSet<object>): unknown {
  const lowerKey = key?.toLowerCase();
  if (typeof value === "string") {
    if (lowerKey !== undefined && PHONE_KEYS.has(lowerKey)) return maskPhoneNumber(value);
    if (lowerKey !== undefined && TEXT_KEYS.has(lowerKey)) return `[redacted ${[...value].length} chars]`;
    return maskDigitRuns(value);
  }
  if (typeof value === "number" && lowerKey !== undefined && PHONE_KEYS.has(lowerKey)) {
    const digits = String(value);
    return /^\d{7,}$/.test(digits) ? maskPhoneNumber(digits) : value;
  }
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      // Elements of a phone-keyed array are phone numbers too: they keep the array's key.
      const itemKey = lowerKey !== undefined && PHONE_KEYS.has(lowerKey) ? key : undefined;
      return value.map((item) => redact(item, itemKey, seen));
    }
    if (value instanceof Error) {
      const copy: Record<string, unknown> = {
        name: value.name,
        message: maskDigitRuns(value.message),
        ...(value.stack !== undefined ? { stack: maskDigitRuns(value.stack) } : {}),
      };
      for (const [field, item] of Object.entries(value)) copy[field] = redact(item, field, seen);
      if (value.cause !== undefined) copy.cause = redact(value.cause, "cause", seen);
      return copy;
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
    if (value instanceof Map) {
      return Object.fromEntries([...value.entries()].map(([field, item]) => [String(field), redact(item, String(field), seen)]));
    }
    if (value instanceof Set) return [...value].map((item) => redact(item, undefined, seen));
    const copy: Record<string, unknown> = {};
    for (const [field, item] of Object.entries(value)) copy[field] = redact(item, field, seen);
    return copy;
  } finally {
    // A value met twice side by side (not inside itself) is copied twice, not called circular.
    seen.delete(value);
  }
}
