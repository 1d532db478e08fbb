import { parsePhoneNumberFromString } from "libphonenumber-js/core";
// The "min" metadata (about 80 KB against "max"'s 155 KB): enough to tell the country of an E.164
// number, which is all the send window needs where no full validation runs (Compose SMS). Every
// example number libphonenumber ships gets the same country from both (checked when chosen).
import minMetadata from "libphonenumber-js/metadata.min.json";

/** The ISO 3166-1 country of an E.164 number already validated, or undefined for a number of no country (+800…). */
export function countryOfNumber(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164, minMetadata)?.country;
}
