import { describe, expect, it } from "vitest";
import examples from "libphonenumber-js/mobile/examples";
import { getExampleNumber, type CountryCode } from "libphonenumber-js/max";
import { countryOfNumber } from "../../shared/core/rules/number-country";
import { normalisePhoneNumber } from "../../shared/core/rules/normalise-phone-number";

/**
 * Compose SMS finds the recipient's country (for the send window) with libphonenumber's smaller
 * "min" metadata; sending validates with "max". Both must name the same country.
 */
describe("countryOfNumber (min metadata)", () => {
  const numbers = Object.keys(examples)
    .map((country) => getExampleNumber(country as CountryCode, examples)?.number)
    .filter((n): n is NonNullable<typeof n> => n !== undefined);

  it("names the country full validation names, for every country's example number", () => {
    expect(numbers.length).toBeGreaterThan(200);
    const differing = numbers.filter((e164) => {
      const full = normalisePhoneNumber({ phoneNumber: e164, defaultCountry: "US" });
      return full.valid && countryOfNumber(e164) !== full.country;
    });
    expect(differing).toEqual([]);
  });

  it("tells apart the countries sharing +1, and has none for a number of no country", () => {
    expect(["+12135550100", "+14165550100", "+18765551234", "+17875550100"].map(countryOfNumber)).toEqual(["US", "CA", "JM", "PR"]);
    expect(countryOfNumber("+80012345678")).toBeUndefined();
  });

  it("answers a number asked again the same, the kept answer included (a number of no country too)", () => {
    for (let round = 0; round < 2; round++) {
      expect(["+12135550100", "+14165550100", "+80012345678"].map(countryOfNumber)).toEqual(["US", "CA", undefined]);
    }
  });
});
