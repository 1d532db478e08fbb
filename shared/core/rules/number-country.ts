import { parsePhoneNumberFromString } from "libphonenumber-js/core";
// The "min" metadata (about 80 KB against "max"'s 155 KB): enough to tell the country of an E.164
// number, which is all the send window needs where no full validation runs (Compose SMS). Every
// example number libphonenumber ships gets the same country from both (checked when chosen).
import minMetadata from "libphonenumber-js/metadata.min.json";

/**
 * Countries of recent numbers (1,000, in the container): a parse is about 0.1 ms, and Compose SMS
 * asks again for the same customer's numbers each time the agent opens it.
 */
const recentCountries = new Map<string, string | undefined>();
const RECENT_COUNTRIES_KEPT = 1000;

/** The ISO 3166-1 country of an E.164 number already validated, or undefined for a number of no country (+800…). */
export function countryOfNumber(e164: string): string | undefined {
  if (recentCountries.has(e164)) return recentCountries.get(e164);
  const country = parsePhoneNumberFromString(e164, minMetadata)?.country;
  if (recentCountries.size >= RECENT_COUNTRIES_KEPT) recentCountries.clear();
  recentCountries.set(e164, country);
  return country;
}
