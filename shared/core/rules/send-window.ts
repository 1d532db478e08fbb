import { countryTimeZones } from "./country-time-zones";
import { numberPrefixTimeZones } from "./number-time-zones";
import type { Consumer } from "../model/consumer";
import type { Provider } from "../model/provider";
import type { SendWindow, SendWindowReport, TimeZoneSource, WindowState } from "../model/send-window";

/**
 * The send window: the local hours in which an agent's SMS may reach a customer. Pure: the clock
 * and the zones come in, an answer goes out. Wall-clock arithmetic goes through Intl (the IANA
 * database Node ships), so daylight saving time is the zone's own.
 */

/** The spec's default, `08:00-21:00`. */
export const defaultSendWindowText = "08:00-21:00";

/** `HH:MM-HH:MM` (24-hour, `24:00` allowed as an end), start before end; undefined for anything else. */
export function parseSendWindow(text: string): SendWindow | undefined {
  const match = /^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/.exec(text.trim());
  if (!match) return undefined;
  const [start, end] = [Number(match[1]) * 60 + Number(match[2]), Number(match[3]) * 60 + Number(match[4])];
  if (start >= end || end > 24 * 60) return undefined;
  return { start, end };
}

export function formatSendWindow(window: SendWindow): string {
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  return `${hhmm(window.start)}-${hhmm(window.end)}`;
}

/** Whether a name is an IANA time zone this runtime knows (`Europe/Paris`, `UTC`); offsets such as `+05:00` are not. */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whose local time the window is read in: the consumer's `timeZone` when it has one, else the
 * zones of the number's own prefix where libphonenumber's data knows them narrower than its
 * country (+1 415: America/Los_Angeles), else the zones of the number's country (one, or several
 * where the country spans zones: then the window must be open in all of them), else UTC (a number
 * of no country, such as +800).
 */
export function recipientTimeZones(recipient: { consumerTimeZone?: string; number?: string; country?: string }): {
  zones: readonly string[];
  source: TimeZoneSource;
} {
  if (recipient.consumerTimeZone) return { zones: [recipient.consumerTimeZone], source: "consumer" };
  const prefixZones = recipient.number ? numberPrefixTimeZones(recipient.number) : undefined;
  if (prefixZones) return { zones: prefixZones, source: "number_prefix" };
  const zones = recipient.country ? countryTimeZones[recipient.country] : undefined;
  return zones && zones.length > 0 ? { zones, source: "country" } : { zones: ["UTC"], source: "default" };
}

/** How far ahead a common window is looked for across several zones before falling back to UTC. */
const searchDays = 8;

/**
 * Whether `window` is open at `now` in every one of `zones`, and if not, the first instant it is.
 * With one zone that is the window's next start there (tomorrow's when today's has passed, on the
 * local calendar, across DST changes). With several, the most restrictive reading: the first
 * instant inside the window of every zone; the zone reported is the one that opens last. Zones
 * that never share an open instant (a country spanning nearly a day) fall back to UTC.
 */
export function sendWindowAt(now: Date, zones: readonly string[], window: SendWindow): WindowState {
  const list = zones.length > 0 ? zones : ["UTC"];
  const limit = now.getTime() + searchDays * 24 * 3600_000;
  let at = now.getTime();
  let binding = list[0]!;
  while (at <= limit) {
    const closed = list.filter((zone) => !isOpen(at, zone, window));
    if (closed.length === 0) {
      if (at === now.getTime()) return { open: true, timeZone: firstToClose(at, list) };
      return { open: false, timeZone: binding, nextAllowedAt: isoWithOffset(at, binding) };
    }
    // Jump to the latest of the closed zones' next openings: nothing earlier can be open in all.
    let next = at;
    for (const zone of closed) {
      const opens = nextOpening(at, zone, window);
      if (opens > next) [next, binding] = [opens, zone];
    }
    at = next;
  }
  return list.length === 1 && list[0] === "UTC" ? { open: false, timeZone: "UTC" } : sendWindowAt(now, ["UTC"], window);
}

/** Among zones open at an instant, the one with the latest local time: the first whose window ends. */
function firstToClose(at: number, zones: readonly string[]): string {
  let chosen = zones[0]!;
  let latest = -1;
  for (const zone of zones) {
    const minutes = minutesOfDay(wallClock(at, zone));
    if (minutes > latest) [latest, chosen] = [minutes, zone];
  }
  return chosen;
}

function isOpen(at: number, zone: string, window: SendWindow): boolean {
  const minutes = minutesOfDay(wallClock(at, zone));
  return minutes >= window.start && minutes < window.end;
}

/** The next instant after `at` (closed there) when the window opens in `zone`. */
function nextOpening(at: number, zone: string, window: SendWindow): number {
  const local = wallClock(at, zone);
  const today = minutesOfDay(local) < window.start;
  const day = new Date(Date.UTC(local.year, local.month - 1, local.day + (today ? 0 : 1)));
  const opens = instantOf(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), window.start, zone);
  // A start inside a DST gap maps to just after it; never go backwards.
  return Math.max(opens, at + 1);
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's wall clock at an instant as Intl reads it (one formatToParts: about 80 µs). */
function intlWallClock(at: number, zone: string): WallClock {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(at))) if (part.type !== "literal") parts[part.type] = Number(part.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function intlOffsetMinutes(at: number, zone: string): number {
  const local = intlWallClock(at, zone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60_000);
}

/**
 * Offsets read from Intl, per zone and hour of UTC, kept only for hours that start and end on the
 * same offset: no change of offset inside them (changes are months apart), so every instant of the
 * hour has it. An hour with a change is read from Intl instant by instant. A send looks at several
 * zones several times (every zone of a country, the next opening, the offset it reports), and each
 * Intl reading costs about 80 µs; the hour's reading is reused.
 */
const HOUR = 3_600_000;
const steadyOffsets = new Map<string, number>();
const STEADY_OFFSETS_KEPT = 4096;

/** The zone's offset from UTC at an instant, in minutes (east positive). */
function offsetMinutes(at: number, zone: string): number {
  const hour = Math.floor(at / HOUR) * HOUR;
  const key = `${zone} ${hour}`;
  const steady = steadyOffsets.get(key);
  if (steady !== undefined) return steady;
  const atStart = intlOffsetMinutes(hour, zone);
  if (intlOffsetMinutes(hour + HOUR - 1000, zone) !== atStart) return intlOffsetMinutes(at, zone);
  if (steadyOffsets.size >= STEADY_OFFSETS_KEPT) steadyOffsets.clear();
  steadyOffsets.set(key, atStart);
  return atStart;
}

/** The zone's wall clock at an instant, to the second. */
function wallClock(at: number, zone: string): WallClock {
  const local = new Date(Math.floor(at / 1000) * 1000 + offsetMinutes(at, zone) * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

function minutesOfDay(local: WallClock): number {
  return local.hour * 60 + local.minute;
}

/**
 * The instant a local date and time of day happens in a zone. A time that happens twice (the hour
 * DST gives back) is its first occurrence; a time that never happens (the hour DST skips) is read
 * with the offset before the change, which lands as far after the gap (02:30 → 03:30): what
 * Temporal calls the "compatible" reading.
 */
function instantOf(year: number, month: number, day: number, minutes: number, zone: string): number {
  const guess = Date.UTC(year, month - 1, day, 0, minutes);
  const candidates = [...new Set([-1, 0, 1].map((days) => guess - offsetMinutes(guess + days * 86_400_000, zone) * 60_000))].sort(
    (a, b) => a - b,
  );
  const exact = candidates.filter((at) => {
    const local = wallClock(at, zone);
    return local.day === day && minutesOfDay(local) === minutes;
  });
  return exact.length > 0 ? exact[0]! : candidates[candidates.length - 1]!;
}

/** `2026-03-09T08:00:00-04:00`: the instant as the zone's wall clock, with its offset. */
export function isoWithOffset(at: number, zone: string): string {
  const local = wallClock(at, zone);
  const offset = offsetMinutes(at, zone);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${local.year}-${two(local.month)}-${two(local.day)}T${two(local.hour)}:${two(local.minute)}:${two(local.second)}` +
    `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
  );
}

/** The spec's default reply grace: a send within 60 minutes of the customer's last message on the key is allowed at any hour. */
export const defaultReplyGraceMs = 60 * 60_000;

/**
 * The send window as it applies to an agent's send: the window (the provider's own, else the
 * service's) in the recipient's zones, unless the customer's last inbound message on this
 * conversation key is at most `replyGraceMs` old. `allowed` is what the decision acts on.
 */
export function sendWindowFor(input: {
  now: Date;
  zones: readonly string[];
  timeZoneSource: TimeZoneSource;
  window: SendWindow;
  lastInboundAt?: string;
  replyGraceMs: number;
}): { allowed: boolean; report: SendWindowReport } {
  const state = { ...sendWindowAt(input.now, input.zones, input.window), timeZoneSource: input.timeZoneSource };
  const graceEnds = input.lastInboundAt ? Date.parse(input.lastInboundAt) + input.replyGraceMs : Number.NaN;
  const inGrace = graceEnds >= input.now.getTime();
  const report: SendWindowReport = inGrace && !state.open ? { ...state, replyGraceUntil: new Date(graceEnds).toISOString() } : state;
  return { allowed: state.open || inGrace, report };
}

/**
 * The window of one send, as initiate and compose options apply it: the send-from number's own
 * window (its provider's `sendWindow`) else the service's, read in the recipient's zones (the
 * consumer's `timeZone`, else the zones of the `to` number's prefix, else of its country, which
 * the caller tells), with the reply grace of the customer's last message on this conversation key.
 */
export function sendWindowOfSend(
  settings: { sendWindow: SendWindow; replyGraceMs: number },
  send: {
    now: Date;
    /** The `to` number in E.164, whose prefix may say its zones (undefined: only its country is read). */
    to?: string;
    /** The `to` number's country (undefined: a number of no country). */
    country: string | undefined;
    consumer: Pick<Consumer, "timeZone">;
    provider: Pick<Provider, "sendWindow"> | undefined;
    lastInboundAt: string | undefined;
  },
): { allowed: boolean; window: SendWindow; report: SendWindowReport } {
  const window = (send.provider?.sendWindow !== undefined ? parseSendWindow(send.provider.sendWindow) : undefined) ?? settings.sendWindow;
  const { zones, source } = recipientTimeZones({
    ...(send.consumer.timeZone ? { consumerTimeZone: send.consumer.timeZone } : {}),
    ...(send.to ? { number: send.to } : {}),
    ...(send.country ? { country: send.country } : {}),
  });
  const verdict = sendWindowFor({
    now: send.now,
    zones,
    timeZoneSource: source,
    window,
    replyGraceMs: settings.replyGraceMs,
    ...(send.lastInboundAt ? { lastInboundAt: send.lastInboundAt } : {}),
  });
  return { ...verdict, window };
}
