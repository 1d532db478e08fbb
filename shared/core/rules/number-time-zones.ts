import { prefixZoneGroups, prefixZoneNames } from "./number-prefix-time-zones";

/** The generated groups decoded once, on the first number read: prefix → its zones (one array per group). */
let zonesByPrefix: Map<string, readonly string[]> | undefined;
let longestPrefix = 0;

function decodedPrefixes(): Map<string, readonly string[]> {
  const decoded = new Map<string, readonly string[]>();
  for (const [indices, coded] of prefixZoneGroups) {
    const zones = Object.freeze(indices.map((index) => prefixZoneNames[index]!));
    // A plain scan, about 1 ms on a cold start: matchAll with a regular expression took three times as long.
    let prefix = "";
    let start = 0;
    while (start < coded.length) {
      let end = start + 1;
      while (end < coded.length && coded.charCodeAt(end) < 97) end++;
      prefix = prefix.slice(0, coded.charCodeAt(start) - 97) + coded.slice(start + 1, end);
      decoded.set(prefix, zones);
      if (prefix.length > longestPrefix) longestPrefix = prefix.length;
      start = end;
    }
  }
  return decoded;
}

/**
 * The zones of a number's own prefix (a US or Canadian area code, a Russian or Brazilian region),
 * from Google libphonenumber's time-zone data, longest prefix first: `+14155550100` →
 * `["America/Los_Angeles"]`. Undefined where the data knows nothing narrower than the number's
 * country: there the country's zones are the answer.
 */
export function numberPrefixTimeZones(e164: string): readonly string[] | undefined {
  zonesByPrefix ??= decodedPrefixes();
  const digits = e164.startsWith("+") ? e164.slice(1) : e164;
  for (let length = Math.min(digits.length, longestPrefix); length > 0; length--) {
    const zones = zonesByPrefix.get(digits.slice(0, length));
    if (zones) return zones;
  }
  return undefined;
}
