/**
 * `npm run generate:time-zones`: writes shared/core/rules/country-time-zones.ts, each country's
 * IANA time zones, from the `countries-and-timezones` package (a dev dependency: its data follows
 * the IANA database's zone1970.tab, and it is kept up to date). Generated at build time so the
 * functions bundle a compact table, not the package; a test fails when the file and the package
 * disagree (run this after updating the package).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { countryTimeZonesSource } from "./country-time-zones-source";

const target = fileURLToPath(new URL("../shared/core/rules/country-time-zones.ts", import.meta.url));
writeFileSync(target, await format(countryTimeZonesSource(), { ...(await resolveConfig(target)), filepath: target }));
console.log(`wrote ${target}`);
