import { Metadata } from "libphonenumber-js/core";
import {
  getCountryCallingCode,
  isSupportedCountry as isKnownToLibphonenumber,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from "libphonenumber-js/max";
// The metadata "libphonenumber-js/max" runs on (the same module); the CommonJS build of "max"
// does not export its Metadata class, so the core one is given it explicitly.
import maxMetadata from "libphonenumber-js/metadata.max.json";
import type { InvalidNumber, InvalidReason, NumberSource, NumberVerdict, ValidNumber } from "../model/phone-number";

/**
 * Phone number validation and conversion to E.164 (spec: "Phone number validation").
 *
 * A pure function over libphonenumber-js's full ("max") metadata, which is needed for `getType()`
 * and for exact validity (the default "min" metadata only checks lengths).
 *
 * Decisions taken here, beyond what libphonenumber does by itself:
 *
 * - Input is checked strictly before libphonenumber sees it: digits, one leading `+`, spaces
 *   (including non-breaking and other Unicode spaces), dots, dashes, brackets and slashes, and an
 *   extension at the end. libphonenumber on its own extracts a number from any surrounding text
 *   ("call 415 555 0171 tomorrow"), which would accept typing mistakes silently.
 * - International prefixes: libphonenumber strips the reading country's own IDD (011 for US, 00
 *   for most of Europe, 0011 for Australia, 810 for Russia...). On top of that, `00…` and `011…`
 *   are accepted from any country, but only after the national reading failed: in Japan `011…`
 *   is a Sapporo number, in France `01 1…` a Paris one, and those stay national.
 * - A trunk `0` written after the country code (`+44 (0)20…`, `+44020…`) is dropped when the
 *   number is invalid with it, valid without it, and the country's own national format writes a
 *   `0` before that number. libphonenumber already does this for most countries; the fallback
 *   covers the rest, and the last condition keeps countries with no trunk prefix (Spain) from
 *   having a typing mistake turned into another number. Italy keeps its 0: `+39 06…` is valid
 *   as written, so nothing is dropped.
 * - Mexico (+52): the mobile `1` after the country code, and the national `044`/`045` (mobile)
 *   and `01` (long distance) prefixes were all retired in August 2019. libphonenumber no longer
 *   knows them (it answers TOO_LONG), so they are removed when what is left is a valid number.
 * - Argentina (+54): libphonenumber already brings every way of writing a mobile number to one
 *   E.164: `+54 9 11 2345 6789`, `011 15 2345 6789`, `11 15 2345 6789`, `+54 11 15 2345 6789`
 *   all give `+5491123456789`. The one form left apart is `+54 11 2345 6789` (no `9`), which is a
 *   valid fixed-line number in its own right: Argentina's fixed and mobile ranges overlap, so
 *   adding a `9` could turn a real landline into someone's mobile. It is therefore kept as
 *   libphonenumber reads it (a fixed line), and no Argentine rule is added here.
 * - Non-geographic numbers (+800, +808, +870, +881, +882, +883, +888, +979) are valid without a
 *   region; their `country` is "001", the code libphonenumber's reference implementation uses.
 * - Messages never contain the number: they name the country (and calling code) the number was
 *   read for and say what to do.
 */

export interface NormaliseInput {
  phoneNumber: string;
  /** ISO 3166-1 alpha-2 country from the request, any case. */
  requestCountry?: string;
  /** The known consumer's location (alpha-2), any case. */
  consumerLocation?: string;
  /** The configured DEFAULT_COUNTRY (e.g. "US"), any case. */
  defaultCountry: string;
}

type Invalid = InvalidNumber;
type Valid = ValidNumber;

/** Region code for numbers that belong to no country (international freephone and the like). */
export const NON_GEOGRAPHIC_REGION = "001";

/** E.164 allows at most 15 digits, country calling code included. */
const MAX_E164_DIGITS = 15;
/** Longer than this is not worth handing to libphonenumber. */
const MAX_INPUT_DIGITS = 25;
const MAX_INPUT_LENGTH = 200;

/** True when `code` is an ISO 3166-1 alpha-2 code (any case) that libphonenumber has metadata for. */
export function isSupportedCountry(code: string): boolean {
  const upper = code.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(upper) && isKnownToLibphonenumber(upper);
}

/**
 * Verdicts of recent inputs. Reading a number is libphonenumber's parse, validation and type (about
 * 0.1 ms), and a conversation sends to and from the same few numbers again and again (every
 * message, dry run and compose of it). The verdict depends on nothing but the input; it is frozen,
 * so no caller can change the one the next caller gets.
 */
const recentVerdicts = new Map<string, NumberVerdict>();
const RECENT_VERDICTS_KEPT = 1000;

export function normalisePhoneNumber(input: NormaliseInput): NumberVerdict {
  const key = `${input.phoneNumber}\u0000${input.requestCountry ?? ""}\u0000${input.consumerLocation ?? ""}\u0000${input.defaultCountry}`;
  const known = recentVerdicts.get(key);
  if (known) return known;
  const verdict = Object.freeze(readPhoneNumber(input));
  if (recentVerdicts.size >= RECENT_VERDICTS_KEPT) recentVerdicts.clear();
  recentVerdicts.set(key, verdict);
  return verdict;
}

function readPhoneNumber(input: NormaliseInput): NumberVerdict {
  const lexed = lex(input.phoneNumber);
  if ("reason" in lexed) return lexed;
  const { plus, digits, extension } = lexed;

  if (plus) {
    // "+00 44…" or "+011 44…": the international prefix typed after the plus.
    const rest = stripIddLike(digits) ?? digits;
    return withExtension(readInternational(rest, "input"), extension);
  }

  const chosen = chooseCountry(input);
  if ("reason" in chosen) return chosen;
  return withExtension(readNational(digits, chosen.country, chosen.source), extension);
}

// ---- reading ------------------------------------------------------------------------------

type Reading = Valid | Invalid;

/** Digits that follow a `+` (or an international prefix): country calling code first. */
function readInternational(digits: string, source: NumberSource): Reading {
  const parsed = parse(`+${digits}`);
  if (typeof parsed === "string") return parseFailure(parsed, undefined);
  if (parsed.isValid()) return valid(parsed, source);
  return canonicalised(parsed, source) ?? invalid(parsed, undefined);
}

/** Digits with no `+`: read for `country` first, then as `00…`/`011…` international. */
function readNational(digits: string, country: CountryCode, source: NationalContext["source"]): Reading {
  const parsed = parse(digits, country);
  if (typeof parsed !== "string") {
    if (parsed.isValid()) return valid(parsed, readThroughIdd(parsed, digits, country) ? "input" : source);
    const fixed = canonicalised(parsed, readThroughIdd(parsed, digits, country) ? "input" : source);
    if (fixed) return fixed;
  }
  // libphonenumber strips the country's own international prefix before anything else, even
  // where a national number starts with the same digits (Thailand's 001 800… freephone numbers
  // begin like its 001 prefix): read the digits as that country's number without it.
  const strictlyNational = parse(`+${getCountryCallingCode(country)}${digits}`);
  if (typeof strictlyNational !== "string" && strictlyNational.isValid()) return valid(strictlyNational, source);

  const national = typeof parsed === "string" ? parseFailure(parsed, { country, source }) : invalid(parsed, { country, source });

  const rest = stripIddLike(digits);
  if (rest === undefined) return national;
  const international = readInternational(rest, "input");
  if (international.valid) return international;
  // Neither reading is valid: explain the one that came closer, the international one on a tie
  // (whoever typed 00 or 011 most likely meant it).
  return closeness(national.reason) > closeness(international.reason) ? national : international;
}

/** How near a failed reading came to a number: the right length beats a wrong length beats no country. */
function closeness(reason: InvalidReason): number {
  switch (reason) {
    case "INVALID_NUMBER":
      return 2;
    case "TOO_SHORT":
    case "TOO_LONG":
      return 1;
    default:
      return 0;
  }
}

/** The digits after a leading `00` or `011`, the international prefixes accepted from any country. */
function stripIddLike(digits: string): string | undefined {
  if (digits.startsWith("00")) return digits.slice(2);
  if (digits.startsWith("011")) return digits.slice(3);
  return undefined;
}

/**
 * Whether libphonenumber, reading `digits` for `country`, took a leading international prefix of
 * that country (011 in the US, 0011 in Australia, 810 in Russia...): the number then carried its
 * own country code, and its source is the input, not the country.
 */
function readThroughIdd(parsed: PhoneNumber, digits: string, country: CountryCode): boolean {
  if (parsed.countryCallingCode !== getCountryCallingCode(country)) return true;
  const iddPattern = iddPrefixOf(country);
  if (!iddPattern) return false;
  const match = new RegExp(`^(?:${iddPattern})`).exec(digits);
  if (!match) return false;
  const asInternational = parse(`+${digits.slice(match[0].length)}`);
  return typeof asInternational !== "string" && asInternational.number === parsed.number;
}

const iddPrefixes = new Map<CountryCode, string | undefined>();

function iddPrefixOf(country: CountryCode): string | undefined {
  if (!iddPrefixes.has(country)) {
    const metadata = new Metadata(maxMetadata);
    metadata.selectNumberingPlan(country);
    iddPrefixes.set(country, metadata.numberingPlan?.IDDPrefix() || undefined);
  }
  return iddPrefixes.get(country);
}

/** Retired or redundant ways of writing a number, tried only when it is invalid as written. */
function canonicalised(parsed: PhoneNumber, source: NumberSource): Valid | undefined {
  const callingCode = parsed.countryCallingCode;
  const nsn = parsed.nationalNumber;

  const candidates: string[] = [];
  if (callingCode === "52") {
    // Mexico, August 2019: mobile "1" after +52, national 044/045 (mobile) and 01 (long distance).
    if (/^04[45]\d{10}$/.test(nsn)) candidates.push(nsn.slice(3));
    if (/^01\d{10}$/.test(nsn)) candidates.push(nsn.slice(2));
    if (/^1\d{10}$/.test(nsn)) candidates.push(nsn.slice(1));
  }
  for (const candidate of candidates) {
    const reparsed = parse(`+${callingCode}${candidate}`);
    if (typeof reparsed !== "string" && reparsed.isValid()) return valid(reparsed, source);
  }

  // A trunk 0 written after the country code, when the country's national format writes one.
  if (nsn.startsWith("0")) {
    const reparsed = parse(`+${callingCode}${nsn.slice(1)}`);
    if (
      typeof reparsed !== "string" &&
      reparsed.isValid() &&
      reparsed.formatNational().replace(/\D/g, "") === `0${reparsed.nationalNumber}`
    ) {
      return valid(reparsed, source);
    }
  }
  return undefined;
}

function parse(text: string, country?: CountryCode): PhoneNumber | string {
  try {
    return parsePhoneNumberWithError(text, country ? { defaultCountry: country } : undefined);
  } catch (error) {
    return error instanceof Error ? error.message : "NOT_A_NUMBER";
  }
}

function valid(parsed: PhoneNumber, source: NumberSource): Valid {
  const type = parsed.getType();
  return {
    valid: true,
    e164: parsed.number,
    country: parsed.country ?? NON_GEOGRAPHIC_REGION,
    source,
    ...(type ? { type: type.toLowerCase() } : {}),
  };
}

function withExtension(reading: Reading, extension: string | undefined): NumberVerdict {
  return reading.valid && extension !== undefined ? { ...reading, extension } : reading;
}

// ---- choosing the country -----------------------------------------------------------------

const SOURCE_NAMES: Record<Exclude<NumberSource, "input">, string> = {
  request_country: "the country given with the request",
  consumer_location: "the consumer's location",
  default_country: "the configured default country (DEFAULT_COUNTRY)",
};

interface NationalContext {
  country: CountryCode;
  source: Exclude<NumberSource, "input">;
}

function chooseCountry(input: NormaliseInput): NationalContext | Invalid {
  const options: [string | undefined, Exclude<NumberSource, "input">][] = [
    [input.requestCountry, "request_country"],
    [input.consumerLocation, "consumer_location"],
    [input.defaultCountry, "default_country"],
  ];
  for (const [value, source] of options) {
    const code = value?.trim();
    if (!code) continue;
    const upper = code.toUpperCase();
    if (isSupportedCountry(upper)) return { country: upper as CountryCode, source };
    const named = /^[A-Z]{2}$/.test(upper) ? `'${upper}'` : "the value given";
    return fail(
      "INVALID_COUNTRY",
      `The number has no country code, and ${SOURCE_NAMES[source]} (${named}) is not a supported ISO 3166-1 ` +
        "alpha-2 country code. Give a country such as US or GB, or write the number with + and its country code.",
    );
  }
  return fail(
    "INVALID_COUNTRY",
    "The number has no country code and no country is known to read it with. Write it with + and its country code.",
  );
}

// ---- explaining failures ------------------------------------------------------------------

// Made on the first failure to explain, not at import: the first Intl object of a process starts
// ICU (about 20 ms), a cold start every phone-number route would pay for a valid number too.
let regionNames: Intl.DisplayNames | undefined;

function regionName(country: string): string {
  regionNames ??= new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
  return regionNames.of(country) ?? country;
}

/** "United Kingdom (+44)"; "country code +1" when the code is shared and the country unknown. */
function describeRegion(callingCode: string, country: string | undefined): string {
  const only = maxMetadata.country_calling_codes[callingCode];
  const named = country ?? (only?.length === 1 ? only[0] : undefined);
  return named ? `${regionName(named)} (+${callingCode})` : `country code +${callingCode}`;
}

/** For a number read nationally: which country that was, why, and how to give another. */
function readAs(context: NationalContext | undefined): string {
  return context
    ? ` ${regionName(context.country)} is ${SOURCE_NAMES[context.source]}: write a number from another country ` +
        "with + and its country code."
    : "";
}

function fail(reason: InvalidReason, message: string): Invalid {
  return { valid: false, reason, message };
}

/** libphonenumber could not even parse it. */
function parseFailure(code: string, context: NationalContext | undefined): Invalid {
  const where = context ? describeRegion(getCountryCallingCode(context.country), context.country) : undefined;
  switch (code) {
    case "INVALID_COUNTRY":
      return fail(
        "INVALID_COUNTRY",
        "The country code after + (or after the international prefix 00 or 011) is not assigned to any country. " +
          "Check the first digits of the number.",
      );
    case "TOO_SHORT":
      return fail(
        "TOO_SHORT",
        `The number has too few digits${where ? ` for ${where}` : ""}. Check that no digit is missing.${readAs(context)}`,
      );
    case "TOO_LONG":
      return tooLong(where, context);
    default:
      return notANumber("It does not look like a phone number. Write it in digits, starting with + and the country code if it has one.");
  }
}

/** libphonenumber parsed it, but it is not a valid number. */
function invalid(parsed: PhoneNumber, readFor: NationalContext | undefined): Invalid {
  // Read through an international prefix, the number is no longer one of the reading country.
  const context = readFor && getCountryCallingCode(readFor.country) === parsed.countryCallingCode ? readFor : undefined;
  const where = describeRegion(parsed.countryCallingCode, parsed.country ?? context?.country);
  if (parsed.countryCallingCode.length + parsed.nationalNumber.length > MAX_E164_DIGITS) return tooLong(undefined, context);
  switch (validatePhoneNumberLength(parsed.number)) {
    case "TOO_SHORT":
      return fail("TOO_SHORT", `The number has too few digits for ${where}. Check that no digit is missing.${readAs(context)}`);
    case "TOO_LONG":
      return tooLong(where, context);
    case "INVALID_COUNTRY":
      return parseFailure("INVALID_COUNTRY", context);
    case "INVALID_LENGTH":
      return fail("INVALID_NUMBER", `The number does not have a number of digits used in ${where}. Check the digits.${readAs(context)}`);
    default:
      return fail(
        "INVALID_NUMBER",
        `The number has the right length but is not a valid number in ${where}: no number in use there starts ` +
          `this way. Check the digits.${readAs(context)}`,
      );
  }
}

function tooLong(where: string | undefined, context: NationalContext | undefined): Invalid {
  const what = where ? `The number has too many digits for ${where}.` : "A phone number has at most 15 digits, country code included.";
  return fail("TOO_LONG", `${what} Check for extra digits, and write any extension after "ext".${readAs(context)}`);
}

function notANumber(message: string): Invalid {
  return fail("NOT_A_NUMBER", message);
}

// ---- reading the characters ---------------------------------------------------------------

interface Lexed {
  plus: boolean;
  digits: string;
  extension?: string;
}

/** An extension at the end: "ext 12", "ext. 12", "extension 12", "x12", "#12", ";ext=12". */
const EXTENSION = /^(.*?)[\s,;]*(?:ext(?:ension|n)?\.?|x|#)\s*[.:=]?\s*(\d{1,10})\s*#?$/i;
/** Digits and formatting characters, with at most one `+`, at the start (possibly inside a bracket). */
const MAIN_PART = /^[([]?\s*\+?[\d\s.\-()/[\]]*$/;

function lex(raw: string): Lexed | Invalid {
  if (typeof raw !== "string" || raw.length > MAX_INPUT_LENGTH) {
    return notANumber(`A phone number is at most ${MAX_INPUT_LENGTH} characters. Write only the number and its extension.`);
  }
  const text = asciiDigits(raw.normalize("NFKC"))
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, "")
    .replace(/\s/g, " ")
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .trim();

  const withExtension = EXTENSION.exec(text);
  const main = (withExtension ? withExtension[1] : text) ?? "";
  const extension = withExtension ? withExtension[2] : undefined;

  if (!/\d/.test(main)) {
    return notANumber("There are no digits in it. Write the phone number in digits, starting with + and the country code if it has one.");
  }
  if (!MAIN_PART.test(main)) {
    return notANumber(
      "It contains characters that are not part of a phone number. Use only digits, a leading +, spaces, dots, " +
        'dashes, brackets and slashes, with any extension at the end after "ext" or "x".',
    );
  }
  const digits = main.replace(/\D/g, "");
  if (digits.length > MAX_INPUT_DIGITS) return tooLong(undefined, undefined);
  return { plus: main.includes("+"), digits, ...(extension !== undefined ? { extension } : {}) };
}

/** Any Unicode decimal digit (Arabic-Indic, Devanagari, ...) as its ASCII digit. */
function asciiDigits(text: string): string {
  if (/^[\x20-\x7E]*$/.test(text)) return text;
  return text.replace(/\p{Nd}/gu, (digit) => {
    // Unicode decimal digits come in runs of ten, 0 to 9: count back to the start of the run.
    const codePoint = digit.codePointAt(0) ?? 0;
    let start = codePoint;
    while (start > 0 && /\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
    return String((codePoint - start) % 10);
  });
}
