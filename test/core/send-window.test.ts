import { describe, expect, it } from "vitest";
import countriesAndTimezones from "countries-and-timezones";
import { countryTimeZones } from "../../shared/core/rules/country-time-zones";
import { formatSendWindow, isTimeZone, parseSendWindow, recipientTimeZones, sendWindowAt } from "../../shared/core/rules/send-window";

const window = parseSendWindow("08:00-21:00")!;
const at = (iso: string) => new Date(iso);

describe("the send window's configuration", () => {
  it("reads HH:MM-HH:MM, start before end, 24:00 as an end", () => {
    expect(window).toEqual({ start: 480, end: 1260 });
    expect(parseSendWindow("00:00-24:00")).toEqual({ start: 0, end: 1440 });
    expect(formatSendWindow(parseSendWindow(" 09:30-17:45 ")!)).toBe("09:30-17:45");
    for (const wrong of ["8-21", "21:00-08:00", "08:00-08:00", "25:00-26:00", "08:00-24:01", "08:60-21:00", ""])
      expect(parseSendWindow(wrong), wrong).toBeUndefined();
  });

  it("knows IANA time zones, and nothing else", () => {
    for (const zone of ["Europe/Paris", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"]) expect(isTimeZone(zone), zone).toBe(true);
    for (const zone of ["Mars/Olympus_Mons", "+05:00", "", "Europe/", "EST5EDT; DROP TABLE"]) expect(isTimeZone(zone), zone).toBe(false);
  });
});

describe("whose local time counts", () => {
  it("the consumer's zone first, else the number's country (every zone of it), else UTC", () => {
    expect(recipientTimeZones({ consumerTimeZone: "Europe/Paris", country: "US" })).toEqual(["Europe/Paris"]);
    expect(recipientTimeZones({ country: "GB" })).toEqual(["Europe/London"]);
    expect(recipientTimeZones({ country: "US" })).toEqual(expect.arrayContaining(["America/New_York", "Pacific/Honolulu"]));
    expect(recipientTimeZones({})).toEqual(["UTC"]);
    expect(recipientTimeZones({ country: "001" })).toEqual(["UTC"]);
  });

  it("the generated table is the package's data (run npm run generate:time-zones after updating countries-and-timezones)", () => {
    const fromPackage = Object.fromEntries(
      Object.values(countriesAndTimezones.getAllCountries())
        .filter((country) => country.timezones.length > 0)
        .map((country) => [country.id, [...country.timezones].sort()]),
    );
    expect(countryTimeZones).toEqual(fromPackage);
    for (const zones of Object.values(countryTimeZones)) for (const zone of zones) expect(isTimeZone(zone), zone).toBe(true);
  });
});

describe("one zone", () => {
  const newYork = ["America/New_York"];

  it("open from 08:00 to 21:00 local; before, today's 08:00; after, tomorrow's", () => {
    expect(sendWindowAt(at("2026-01-15T12:59:00Z"), newYork, window)).toEqual({
      open: false,
      timeZone: "America/New_York",
      nextAllowedAt: "2026-01-15T08:00:00-05:00",
    });
    expect(sendWindowAt(at("2026-01-15T13:00:00Z"), newYork, window)).toEqual({ open: true, timeZone: "America/New_York" });
    expect(sendWindowAt(at("2026-01-16T01:59:00Z"), newYork, window).open).toBe(true);
    expect(sendWindowAt(at("2026-01-16T02:00:00Z"), newYork, window)).toMatchObject({
      open: false,
      nextAllowedAt: "2026-01-16T08:00:00-05:00",
    });
  });

  it("a refused 3 a.m. send is told the same morning's 08:00", () => {
    expect(sendWindowAt(at("2026-06-10T07:00:00Z"), newYork, window)).toMatchObject({ nextAllowedAt: "2026-06-10T08:00:00-04:00" });
  });

  it("entering summer time: the night before and the morning of the change open at 08:00 in the new offset", () => {
    // 2026-03-08: New York skips 02:00-03:00 (EST -05:00 → EDT -04:00).
    expect(sendWindowAt(at("2026-03-08T03:00:00Z"), newYork, window).nextAllowedAt).toBe("2026-03-08T08:00:00-04:00");
    expect(sendWindowAt(at("2026-03-08T11:30:00Z"), newYork, window).nextAllowedAt).toBe("2026-03-08T08:00:00-04:00");
    expect(sendWindowAt(at("2026-03-08T12:00:00Z"), newYork, window).open).toBe(true);
    // London: 2026-03-29, GMT → BST at 01:00 UTC.
    expect(sendWindowAt(at("2026-03-28T21:30:00Z"), ["Europe/London"], window).nextAllowedAt).toBe("2026-03-29T08:00:00+01:00");
  });

  it("leaving summer time: 08:00 in the old offset's night, the new offset's morning", () => {
    // 2026-11-01: New York repeats 01:00-02:00 (EDT → EST).
    expect(sendWindowAt(at("2026-11-01T05:30:00Z"), newYork, window).nextAllowedAt).toBe("2026-11-01T08:00:00-05:00");
    expect(sendWindowAt(at("2026-11-01T12:59:00Z"), newYork, window).open).toBe(false);
    expect(sendWindowAt(at("2026-11-01T13:00:00Z"), newYork, window).open).toBe(true);
    // London: 2026-10-25, BST → GMT; 21:30 BST the evening before.
    expect(sendWindowAt(at("2026-10-24T20:30:00Z"), ["Europe/London"], window).nextAllowedAt).toBe("2026-10-25T08:00:00+00:00");
  });

  it("a window that starts inside the skipped hour opens just after it", () => {
    const night = parseSendWindow("02:30-05:00")!;
    expect(sendWindowAt(at("2026-03-08T05:00:00Z"), newYork, night).nextAllowedAt).toBe("2026-03-08T03:30:00-04:00");
  });
});

describe("a country with several zones: the most restrictive window", () => {
  const us = recipientTimeZones({ country: "US" });

  it("in winter, open only once 08:00 has come in Hawaii and the Aleutians, and until 21:00 on the east coast", () => {
    // 10:00 in New York, 05:00 in Honolulu and Adak (both -10:00 in January).
    expect(sendWindowAt(at("2026-01-15T15:00:00Z"), us, window)).toEqual({
      open: false,
      timeZone: "America/Adak",
      nextAllowedAt: "2026-01-15T08:00:00-10:00",
    });
    expect(sendWindowAt(at("2026-01-15T18:00:00Z"), us, window).open).toBe(true);
    expect(sendWindowAt(at("2026-01-16T01:59:00Z"), us, window).open).toBe(true);
    const closedAt = sendWindowAt(at("2026-01-16T02:00:00Z"), us, window);
    expect(closedAt).toMatchObject({ open: false, nextAllowedAt: "2026-01-16T08:00:00-10:00" });
  });

  it("in summer the Aleutians keep daylight time and Hawaii does not: Honolulu opens last", () => {
    expect(sendWindowAt(at("2026-07-15T15:00:00Z"), us, window)).toEqual({
      open: false,
      timeZone: "Pacific/Honolulu",
      nextAllowedAt: "2026-07-15T08:00:00-10:00",
    });
  });

  it("zones that never share an open hour fall back to UTC", () => {
    const narrow = parseSendWindow("09:00-10:00")!;
    expect(sendWindowAt(at("2026-01-15T08:00:00Z"), ["UTC", "Asia/Tokyo"], narrow)).toEqual({
      open: false,
      timeZone: "UTC",
      nextAllowedAt: "2026-01-15T09:00:00+00:00",
    });
  });
});
