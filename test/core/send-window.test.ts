import fc from "fast-check";
import { describe, expect, it } from "vitest";
import countriesAndTimezones from "countries-and-timezones";
import { countryTimeZones } from "../../shared/core/rules/country-time-zones";
import {
  formatSendWindow,
  isTimeZone,
  isoWithOffset,
  parseSendWindow,
  recipientTimeZones,
  sendWindowAt,
} from "../../shared/core/rules/send-window";

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
  it("the consumer's zone first, else the number's prefix, else its country (every zone of it), else UTC", () => {
    expect(recipientTimeZones({ consumerTimeZone: "Europe/Paris", number: "+14155550100", country: "US" })).toEqual({
      zones: ["Europe/Paris"],
      source: "consumer",
    });
    expect(recipientTimeZones({ number: "+14155550100", country: "US" })).toEqual({
      zones: ["America/Los_Angeles"],
      source: "number_prefix",
    });
    expect(recipientTimeZones({ number: "+447700900123", country: "GB" })).toEqual({ zones: ["Europe/London"], source: "country" });
    expect(recipientTimeZones({ country: "GB" })).toEqual({ zones: ["Europe/London"], source: "country" });
    expect(recipientTimeZones({ country: "US" }).zones).toEqual(expect.arrayContaining(["America/New_York", "Pacific/Honolulu"]));
    expect(recipientTimeZones({})).toEqual({ zones: ["UTC"], source: "default" });
    expect(recipientTimeZones({ number: "+80012345678", country: "001" })).toEqual({ zones: ["UTC"], source: "default" });
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
  const us = recipientTimeZones({ country: "US" }).zones;

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

describe("wall clocks (offsets are read from Intl once per zone and steady hour)", () => {
  /** The same instant as Intl prints it with its offset, read independently of the rule's code. */
  function intlIso(at: number, zone: string): string {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        timeZoneName: "longOffset",
      })
        .formatToParts(new Date(at))
        .map((part) => [part.type, part.value]),
    );
    const offset = parts.timeZoneName === "GMT" ? "+00:00" : parts.timeZoneName!.slice(3);
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
  }

  const zones = [
    ...new Set([
      ...Object.values(countryTimeZones).flat(),
      "UTC",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "Pacific/Chatham",
      "Africa/Casablanca",
    ]),
  ];
  // Instants of offset changes (2026-2027), where a reading kept for a whole hour would go wrong first.
  const changes = [
    "2026-03-08T07:00:00Z", // US east, spring
    "2026-03-08T10:00:00Z", // US west
    "2026-03-29T01:00:00Z", // EU
    "2026-04-04T15:00:00Z", // Lord Howe, back to +10:30
    "2026-04-04T14:00:00Z", // Chatham
    "2026-10-03T15:30:00Z", // Lord Howe, forward to +11
    "2026-10-25T01:00:00Z", // EU
    "2026-11-01T06:00:00Z", // US east, autumn
    "2027-03-14T10:00:00Z",
  ].map(Date.parse);

  it("match Intl's at any instant of 2024-2040, in every zone of every country", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2024-01-01T00:00:00Z"), max: Date.parse("2040-12-31T00:00:00Z") }),
        fc.constantFrom(...zones),
        (at, zone) => {
          expect(isoWithOffset(at, zone)).toBe(intlIso(at, zone));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("match Intl's around offset changes, each second of the hour before and after, in the zones that change then", () => {
    const changing = ["America/New_York", "America/Los_Angeles", "Europe/Paris", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham"];
    fc.assert(
      fc.property(
        fc.constantFrom(...changes),
        fc.integer({ min: -3_600_000, max: 3_600_000 }),
        fc.constantFrom(...changing),
        (change, delta, zone) => {
          expect(isoWithOffset(change + delta, zone)).toBe(intlIso(change + delta, zone));
        },
      ),
      { numRuns: 3000 },
    );
    // And the instant itself, and the second before it, in the zone that changes there.
    for (const [iso, zone, before, after] of [
      ["2026-03-08T07:00:00Z", "America/New_York", "2026-03-08T01:59:59-05:00", "2026-03-08T03:00:00-04:00"],
      ["2026-10-03T15:30:00Z", "Australia/Lord_Howe", "2026-10-04T01:59:59+10:30", "2026-10-04T02:30:00+11:00"],
    ] as const) {
      expect(isoWithOffset(Date.parse(iso) - 1000, zone)).toBe(before);
      expect(isoWithOffset(Date.parse(iso), zone)).toBe(after);
    }
  });
});
