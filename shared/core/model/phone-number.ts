/**
 * The country a nationally written number is read in when nothing else says: DEFAULT_COUNTRY at run
 * time, the stack's `defaultCountry` context at deploy time; both fall back to this.
 */
export const fallbackDefaultCountry = "US";

/** Where the country used to read a number came from (spec: "Phone number validation"). */
export const numberSources = ["input", "request_country", "consumer_location", "default_country"] as const;
export type NumberSource = (typeof numberSources)[number];

export const invalidReasons = ["NOT_A_NUMBER", "TOO_SHORT", "TOO_LONG", "INVALID_COUNTRY", "INVALID_NUMBER"] as const;
export type InvalidReason = (typeof invalidReasons)[number];

export interface ValidNumber {
  valid: true;
  e164: string;
  country: string;
  source: NumberSource;
  type?: string;
  /** An extension written after the number: reported, never silently dropped. */
  extension?: string;
}

export interface InvalidNumber {
  valid: false;
  reason: InvalidReason;
  message: string;
}

/** The verdict on a written number. */
export type NumberVerdict = ValidNumber | InvalidNumber;
