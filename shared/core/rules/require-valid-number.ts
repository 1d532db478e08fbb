import { ServiceError } from "../errors";
import type { NumberSource } from "../model/phone-number";
import { normalisePhoneNumber, type NormaliseInput } from "./normalise-phone-number";

export interface CanonicalNumber {
  e164: string;
  country: string;
  source: NumberSource;
}

/**
 * The E.164 form of a number a request needs to be valid, or a 422 INVALID_PHONE_NUMBER that
 * carries the validation reason and names the field.
 */
export function requireValidNumber(input: NormaliseInput, field: string): CanonicalNumber {
  const result = normalisePhoneNumber(input);
  if (!result.valid) {
    throw new ServiceError("INVALID_PHONE_NUMBER", `${field}: ${result.message}`, { reason: result.reason, field });
  }
  return { e164: result.e164, country: result.country, source: result.source };
}
