import { describe, it, expect } from "vitest";
import { Metadata } from "libphonenumber-js/core";
import {
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberFromString,
  parsePhoneNumberWithError,
  type CountryCode,
  type PhoneNumber,
} from "libphonenumber-js/max";
import maxMetadata from "libphonenumber-js/metadata.max.json";
// The only examples libphonenumber-js ships (1.13.x): one mobile number per country.
import mobileExamples from "libphonenumber-js/mobile/examples";
import type { NumberVerdict as ValidatePhoneNumberResponse } from "../../shared/core/model/phone-number";
import { isSupportedCountry, normalisePhoneNumber, type NormaliseInput } from "../../shared/core/rules/normalise-phone-number";

const US = "US";

function normalise(phoneNumber: string, options: Partial<Omit<NormaliseInput, "phoneNumber">> = {}): ValidatePhoneNumberResponse {
  return normalisePhoneNumber({ phoneNumber, defaultCountry: US, ...options });
}

/** What libphonenumber itself makes of an E.164 number: the expectation, not the code under test. */
function library(e164: string): PhoneNumber {
  const parsed = parsePhoneNumberWithError(e164);
  expect(parsed.isValid(), `${e164} should be valid for libphonenumber`).toBe(true);
  return parsed;
}

function validAs(parsed: PhoneNumber, source: string): ValidatePhoneNumberResponse {
  const type = parsed.getType();
  return {
    valid: true,
    e164: parsed.number,
    country: parsed.country ?? "001",
    source: source as "input",
    ...(type ? { type: type.toLowerCase() } : {}),
  };
}

describe("normalisePhoneNumber: where the country comes from", () => {
  const london = library("+442079460958");

  it("takes a number that carries its country code as it is (source: input)", () => {
    expect(normalise("+442079460958", { requestCountry: "FR", consumerLocation: "DE" })).toEqual(validAs(london, "input"));
  });

  it("reads a national number with the request's country first", () => {
    expect(normalise("020 7946 0958", { requestCountry: "GB", consumerLocation: "FR", defaultCountry: "DE" })).toEqual(
      validAs(london, "request_country"),
    );
  });

  it("then with the consumer's location", () => {
    expect(normalise("020 7946 0958", { consumerLocation: "GB", defaultCountry: "DE" })).toEqual(validAs(london, "consumer_location"));
  });

  it("and last with the default country", () => {
    expect(normalise("020 7946 0958", { defaultCountry: "GB" })).toEqual(validAs(london, "default_country"));
  });

  it("treats an empty or blank country as absent", () => {
    expect(normalise("020 7946 0958", { requestCountry: "", consumerLocation: "  ", defaultCountry: "GB" })).toEqual(
      validAs(london, "default_country"),
    );
  });

  it("does not fall through to the next country when the first one does not fit", () => {
    const result = normalise("020 7946 0958", { requestCountry: "US", consumerLocation: "GB", defaultCountry: "GB" });
    expect(result.valid).toBe(false);
  });

  it("answers INVALID_COUNTRY for a country libphonenumber does not support, naming it", () => {
    for (const [options, name] of [
      [{ requestCountry: "ZZ", consumerLocation: "GB" }, "request"],
      [{ consumerLocation: "QQ", defaultCountry: "GB" }, "consumer's location"],
      [{ defaultCountry: "XX" }, "DEFAULT_COUNTRY"],
    ] as const) {
      const result = normalise("020 7946 0958", options);
      expect(result).toMatchObject({ valid: false, reason: "INVALID_COUNTRY" });
      if (!result.valid) {
        expect(result.message).toContain(name);
        expect(result.message).toMatch(/'(ZZ|QQ|XX)'/);
      }
    }
    expect(normalise("020 7946 0958", { requestCountry: "not a country" })).toMatchObject({ reason: "INVALID_COUNTRY" });
  });

  it("needs no country at all for a number with its country code", () => {
    expect(normalise("+442079460958", { defaultCountry: "ZZ" })).toEqual(validAs(london, "input"));
  });

  it("accepts country codes in any case", () => {
    expect(normalise("020 7946 0958", { requestCountry: "gb" })).toEqual(validAs(london, "request_country"));
    expect(normalise("020 7946 0958", { consumerLocation: "Gb" })).toEqual(validAs(london, "consumer_location"));
    expect(normalise("020 7946 0958", { defaultCountry: "gB" })).toEqual(validAs(london, "default_country"));
    expect(isSupportedCountry("gb")).toBe(true);
    expect(isSupportedCountry("GB")).toBe(true);
    expect(isSupportedCountry("zz")).toBe(false);
    expect(isSupportedCountry("GBR")).toBe(false);
    expect(isSupportedCountry("")).toBe(false);
  });
});

describe("normalisePhoneNumber: reasons", () => {
  it.each([
    ["an empty string", ""],
    ["no digits", "abc"],
    ["a lone plus", "+"],
    ["words around the number", "call 415 555 0171"],
    ["letters inside it", "415 555 O171"],
    ["two pluses", "++1 415 555 0171"],
    ["a plus in the middle", "1+415 555 0171"],
    ["an extension marker with no digits", "415 555 0171 ext"],
  ])("NOT_A_NUMBER for %s", (_what, input) => {
    expect(normalise(input)).toMatchObject({ valid: false, reason: "NOT_A_NUMBER" });
  });

  it.each([
    ["+1 415", {}],
    ["12", { requestCountry: "US" }],
    ["+44", {}],
    ["0044 20", {}],
  ])("TOO_SHORT for %s", (input, options) => {
    expect(normalise(input, options)).toMatchObject({ valid: false, reason: "TOO_SHORT" });
  });

  it.each([
    ["+1 415 555 0171 1234 5678", {}],
    // 16 digits: more than E.164 allows.
    ["+44 2079 4609 5812 34", {}],
    ["415 555 0171 99", { requestCountry: "US" }],
    ["1".repeat(40), {}],
  ])("TOO_LONG for %s", (input, options) => {
    expect(normalise(input, options)).toMatchObject({ valid: false, reason: "TOO_LONG" });
  });

  it.each([["+999 1234 5678"], ["+0 415 555 0171"], ["00 999 1234 5678"]])(
    "INVALID_COUNTRY for an unassigned country code: %s",
    (input) => {
      const result = normalise(input);
      // "00 999…" is also tried as a US number; either way, it is not a number.
      expect(result.valid).toBe(false);
      if (input.startsWith("+")) expect(result).toMatchObject({ reason: "INVALID_COUNTRY" });
    },
  );

  it("INVALID_NUMBER for a number of the right length that no range holds", () => {
    for (const input of ["+1 123 456 7890", "+44 0000 000000"]) {
      const parsed = parsePhoneNumberWithError(input);
      expect(parsed.isPossible() && !parsed.isValid(), `${input} should be possible but invalid for libphonenumber`).toBe(true);
      expect(normalise(input)).toMatchObject({ valid: false, reason: "INVALID_NUMBER" });
    }
  });

  it("never puts the number in the message, and says what to do", () => {
    const inputs = [
      "+1 415 555 0171 1234 5678",
      "+1 415 5",
      "+1 123 456 7890",
      "415 555 0171 99",
      "415 555 01",
      "+999 4155550171",
      "call 4155550171",
    ];
    for (const input of inputs) {
      const result = normalise(input, { requestCountry: "US" });
      expect(result.valid, input).toBe(false);
      if (result.valid) continue;
      const digits = input.replace(/\D/g, "");
      // No run of the input's digits longer than a country code shows in the message.
      for (let start = 0; start + 4 <= digits.length; start++) {
        expect(result.message, input).not.toContain(digits.slice(start, start + 4));
      }
      expect(result.message).toMatch(/^[A-Z].*\.$/s);
      expect(result.message).toMatch(/check|write|use|give/i);
    }
  });
});

describe("normalisePhoneNumber: formats people type", () => {
  const mexicoCity = library("+525512345678");

  it.each([
    ["+52 1 55 1234 5678", {}, "input"],
    ["+5215512345678", {}, "input"],
    ["044 55 1234 5678", { requestCountry: "MX" }, "request_country"],
    ["045 55 1234 5678", { requestCountry: "MX" }, "request_country"],
    ["01 55 1234 5678", { requestCountry: "MX" }, "request_country"],
    ["1 55 1234 5678", { requestCountry: "MX" }, "request_country"],
    ["55 1234 5678", { requestCountry: "MX" }, "request_country"],
    ["+52 55 1234 5678", {}, "input"],
  ])("brings Mexico's retired forms to today's number: %s", (input, options, source) => {
    expect(normalise(input, options)).toEqual(validAs(mexicoCity, source));
  });

  it.each([["00 52 1 55 1234 5678"], ["011 52 1 55 1234 5678"]])("canonicalises Mexico's 1 after an international prefix: %s", (input) => {
    expect(normalise(input, { requestCountry: "US" })).toEqual(validAs(mexicoCity, "input"));
  });

  it("drops Mexico's 1 before a toll-free number too", () => {
    expect(normalise("+52 1 800 123 4567")).toEqual(validAs(library("+528001234567"), "input"));
  });

  it.each([["+44 (0)20 7946 0958"], ["+44020 7946 0958"], ["+44 0 20 7946 0958"], ["0044 (0)20 7946 0958"]])(
    "drops a trunk 0 written after the country code: %s",
    (input) => {
      expect(normalise(input)).toEqual(validAs(library("+442079460958"), "input"));
    },
  );

  it("drops Germany's trunk 0 after +49", () => {
    expect(normalise("+49 (0)30 901820")).toEqual(validAs(library("+4930901820"), "input"));
  });

  it("keeps Italy's leading 0, which is part of the number", () => {
    const rome = library("+390648811234");
    expect(rome.country).toBe("IT");
    expect(normalise("+39 06 4881 1234")).toEqual(validAs(rome, "input"));
  });

  it("does not drop a 0 in a country with no trunk prefix (Spain)", () => {
    expect(parsePhoneNumberWithError("+34912345678").isValid()).toBe(true);
    expect(normalise("+34 0 912 345 678").valid).toBe(false);
  });

  it("reads 00 and 011 as international prefixes from any country", () => {
    const london = validAs(library("+442079460958"), "input");
    expect(normalise("00 44 20 7946 0958", { requestCountry: "US" })).toEqual(london); // the US's own prefix is 011
    expect(normalise("011 44 20 7946 0958", { requestCountry: "US" })).toEqual(london);
    expect(normalise("00 44 20 7946 0958", { requestCountry: "DE" })).toEqual(london);
    expect(normalise("011 44 20 7946 0958", { requestCountry: "DE" })).toEqual(london); // Germany's is 00
    expect(normalise("0011 44 20 7946 0958", { requestCountry: "AU" })).toEqual(london); // Australia's own
    expect(normalise("+00 44 20 7946 0958")).toEqual(london);
    // Through a country's own prefix, the country code still comes from the input.
    expect(normalise("011 1 415 555 0171", { requestCountry: "US" })).toEqual(validAs(library("+14155550171"), "input"));
  });

  it("reads Japan's 011 as a national (Sapporo) number first, and as a prefix only when that fails", () => {
    const sapporo = parsePhoneNumberWithError("011-211-2345", "JP");
    expect(sapporo.isValid()).toBe(true);
    expect(normalise("011-211-2345", { requestCountry: "JP" })).toEqual(validAs(sapporo, "request_country"));
    expect(normalise("011 44 20 7946 0958", { requestCountry: "JP" })).toEqual(validAs(library("+442079460958"), "input"));
  });

  it("explains the national reading when neither reading is a number and the national one came closer", () => {
    // Read in Japan: a possible but unassigned number; read as 011 + 212: too short for Morocco.
    const national = parsePhoneNumberWithError("011 2 123 4567", "JP");
    expect(national.isPossible() && !national.isValid()).toBe(true);
    expect(normalise("011 2 123 4567", { requestCountry: "JP" })).toMatchObject({ valid: false, reason: "INVALID_NUMBER" });
  });

  it.each([
    ["(415) 555-0171"],
    ["415.555.0171"],
    ["415/555-0171"],
    ["[415] 555 0171"],
    ["415\u00a0555\u00a00171"],
    ["415\u202f555\u202f0171"],
    ["415\u2013555\u20130171"],
    ["\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff11\uff17\uff11"],
    ["  415 555 0171  "],
    ["1 (415) 555-0171"],
  ])("accepts formatting characters: %j", (input) => {
    expect(normalise(input, { requestCountry: "US" })).toEqual(validAs(library("+14155550171"), "request_country"));
  });

  it.each([
    ["+1 415 555 0171 ext 12"],
    ["+1 415 555 0171 ext. 12"],
    ["+1 415 555 0171 x12"],
    ["+1 415 555 0171 #12"],
    ["+1 415 555 0171 extension 12"],
    ["+1 415 555 0171;ext=12"],
    ["+1 415 555 0171 EXT 12"],
  ])("reports an extension: %s", (input) => {
    expect(normalise(input)).toEqual({ ...validAs(library("+14155550171"), "input"), extension: "12" });
  });

  it("reports no extension when there is none, and none on an invalid number", () => {
    expect(normalise("+1 415 555 0171")).not.toHaveProperty("extension");
    expect(normalise("+1 123 456 7890 ext 12")).toMatchObject({ valid: false, reason: "INVALID_NUMBER" });
  });

  it("leaves Argentina's mobile forms to libphonenumber, which already gives them one E.164", () => {
    const mobile = library("+5491123456789");
    for (const [input, options, source] of [
      ["+54 9 11 2345 6789", {}, "input"],
      ["+54 11 15 2345 6789", {}, "input"],
      ["011 15 2345 6789", { requestCountry: "AR" }, "request_country"],
      ["11 15 2345 6789", { requestCountry: "AR" }, "request_country"],
    ] as const) {
      expect(normalise(input, options), input).toEqual(validAs(mobile, source));
    }
    // Without the 9 it is a valid fixed-line number of its own, and stays one.
    const fixed = library("+541123456789");
    expect(fixed.getType()).toBe("FIXED_LINE");
    expect(normalise("+54 11 2345 6789")).toEqual(validAs(fixed, "input"));
  });

  it("reports the number's own country and its type", () => {
    expect(normalise("416 555 0123", { requestCountry: "US" })).toEqual(validAs(library("+14165550123"), "request_country"));
    expect(normalise("+1 800 555 0199")).toMatchObject({ valid: true, type: "toll_free" });
    // A non-geographic number belongs to no country: region 001.
    expect(normalise("+800 1234 5678")).toEqual(validAs(library("+80012345678"), "input"));
    expect(normalise("+800 1234 5678")).toMatchObject({ country: "001" });
  });
});

// ---- every country libphonenumber ships -----------------------------------------------------

const TYPES = [
  "FIXED_LINE",
  "MOBILE",
  "TOLL_FREE",
  "PREMIUM_RATE",
  "SHARED_COST",
  "VOIP",
  "PERSONAL_NUMBER",
  "PAGER",
  "UAN",
  "VOICEMAIL",
] as const;
type NumberType = (typeof TYPES)[number];

interface Sample {
  country: CountryCode;
  kind: string;
  number: PhoneNumber;
}

const countries = getCountries();

/** libphonenumber's own example for each country (only mobile examples ship with it). */
const examples: Sample[] = countries.flatMap((country) => {
  const number = getExampleNumber(country, mobileExamples);
  return number ? [{ country, kind: "example MOBILE", number }] : [];
});

/**
 * More numbers of every type, generated from the type patterns in libphonenumber's metadata and
 * kept only when libphonenumber itself calls them valid, of that type and of that country.
 * Deterministic: a fixed seed.
 */
const generated = generateSamples();

function generateSamples(): { samples: Sample[]; patterns: number; missing: string[] } {
  const metadata = new Metadata(maxMetadata);
  const random = mulberry32(20240501);
  const samples: Sample[] = [];
  const missing: string[] = [];
  let patterns = 0;
  for (const country of countries) {
    metadata.selectNumberingPlan(country);
    const plan = metadata.numberingPlan as unknown as { type(type: NumberType): { pattern(): string } | undefined } | undefined;
    if (typeof plan?.type !== "function") throw new Error("libphonenumber-js Metadata no longer exposes numberingPlan.type()");
    for (const type of TYPES) {
      const pattern = plan.type(type)?.pattern();
      if (!pattern) continue;
      patterns++;
      const regex = parsePattern(pattern);
      const whole = new RegExp(`^(?:${pattern})$`);
      let found = false;
      for (let attempt = 0; attempt < 300 && !found; attempt++) {
        const nsn = generate(regex, random);
        if (!whole.test(nsn)) continue;
        const number = parsePhoneNumberFromString(`+${getCountryCallingCode(country)}${nsn}`);
        const actual = number?.getType();
        const sameType = actual === type || (actual === "FIXED_LINE_OR_MOBILE" && (type === "FIXED_LINE" || type === "MOBILE"));
        // The number's country is libphonenumber's: where countries share a calling code and a
        // range (GB and IM, IT and VA, MA and EH...), it names the main one.
        if (number?.isValid() && sameType) {
          samples.push({ country, kind: `generated ${type}`, number });
          found = true;
        }
      }
      if (!found) missing.push(`${country} ${type}`);
    }
  }
  return { samples, patterns, missing };
}

interface Check {
  input: string;
  options: Partial<NormaliseInput>;
  /** The number that must come back, and how it must have been read. */
  expected: PhoneNumber;
  source?: string;
  /** Written with 00/011 while reading for this country: a valid national reading wins. */
  orNational?: CountryCode;
}

/**
 * Where libphonenumber's own national form of a number reads back as another valid number (a
 * few legacy ranges, such as Gabon's 7-digit numbers next to its 8-digit ones, and Thailand's
 * 001 800 numbers, which start like its own international prefix), the national form is
 * ambiguous in libphonenumber itself: there the answer must be libphonenumber's own reading.
 */
const ambiguousNationalForms: string[] = [];

/** Every way of writing `sample` that must come back as its E.164. */
function checksFor({ country, number }: Sample): Check[] {
  const cc = number.countryCallingCode;
  const nsn = number.nationalNumber;
  const national = number.formatNational();
  const ownReading = parsePhoneNumberFromString(national, country);
  const nationalExpected = ownReading?.isValid() && ownReading.number !== number.number ? ownReading : undefined;
  if (nationalExpected) ambiguousNationalForms.push(`${country} ${number.number} → ${nationalExpected.number}`);

  const checks: Check[] = [
    ...(
      [
        [{ requestCountry: country }, "request_country"],
        [{ consumerLocation: country.toLowerCase(), defaultCountry: "ZZ" }, "consumer_location"],
        [{ defaultCountry: country }, "default_country"],
      ] as const
    ).map(([options, source]): Check =>
      nationalExpected ? { input: national, options, expected: nationalExpected } : { input: national, options, expected: number, source },
    ),
    { input: number.number, options: {}, expected: number, source: "input" },
    { input: number.formatInternational(), options: { requestCountry: "ZZ" }, expected: number, source: "input" },
    // US: 011 is its own prefix, 00 is not. Germany: 00 is its own. Japan: 011 is not (010 is).
    { input: `00 ${cc} ${nsn}`, options: { requestCountry: "US" }, expected: number, source: "input", orNational: "US" },
    { input: `011 ${cc} ${nsn}`, options: { requestCountry: "US" }, expected: number, source: "input", orNational: "US" },
    { input: `00 ${cc} ${nsn}`, options: { requestCountry: "DE" }, expected: number, source: "input", orNational: "DE" },
    { input: `011 ${cc} ${nsn}`, options: { requestCountry: "JP" }, expected: number, source: "input", orNational: "JP" },
  ];
  // Where the country writes a trunk 0 before this number (and "+cc0…" is not a number of its
  // own), "+cc (0) …" and "+cc0…" are this number.
  if (national.replace(/\D/g, "") === `0${nsn}` && !parsePhoneNumberFromString(`+${cc}0${nsn}`)?.isValid()) {
    checks.push(
      { input: `+${cc} (0) ${nsn}`, options: {}, expected: number, source: "input" },
      { input: `+${cc}0${nsn}`, options: {}, expected: number, source: "input" },
    );
  }
  return checks;
}

function failuresOf(samples: Sample[]): string[] {
  const failures: string[] = [];
  for (const sample of samples) {
    for (const { input, options, expected, source, orNational } of checksFor(sample)) {
      const result = normalise(input, options);
      const ok =
        result.valid &&
        result.e164 === expected.number &&
        (source === undefined || result.source === source) &&
        result.country === (library(expected.number).country ?? "001") &&
        result.type === expected.getType()?.toLowerCase();
      if (ok) continue;
      // "Read nationally first": where the digits are also a valid national number of the
      // reading country, that reading is the right answer.
      const national = orNational ? parsePhoneNumberFromString(input.replace(/\D/g, ""), orNational) : undefined;
      if (national?.isValid() && result.valid && result.e164 === national.number && result.source === "request_country") continue;
      failures.push(
        `${sample.country} ${sample.kind} ${JSON.stringify(input)} ${JSON.stringify(options)}: ` +
          `expected ${expected.number} (${source ?? "any source"}), got ${JSON.stringify(result)}`,
      );
    }
  }
  return failures;
}

describe("normalisePhoneNumber: every country libphonenumber-js ships", () => {
  it("has an example for every country", () => {
    expect(countries.length).toBeGreaterThan(200);
    expect(examples.map((example) => example.country)).toEqual(countries);
  });

  it("reads every country's example mobile number, written in every accepted way", () => {
    const failures = failuresOf(examples);
    expect(failures, `${failures.length} failures:\n${failures.join("\n")}`).toEqual([]);
  });

  it("reads generated numbers of every type of every country, written in every accepted way", () => {
    // Every (country, type) pattern yields a sample: the test must not quietly shrink.
    expect(generated.patterns).toBeGreaterThan(1000);
    expect(generated.missing, "(country, type) pairs with no generated sample").toEqual([]);
    const failures = failuresOf(generated.samples);
    expect(failures, `${failures.length} failures:\n${failures.join("\n")}`).toEqual([]);
  });
});

// ---- a small generator for libphonenumber's patterns ---------------------------------------
// They use digits, \d, [classes], (?:groups), |, ?, {n} and {n,m}; nothing else.

type Alternation = Item[][];
interface Item {
  atom: string[] | Alternation;
  min: number;
  max: number;
}

function parsePattern(pattern: string): Alternation {
  let position = 0;
  const peek = () => pattern[position];

  function alternation(): Alternation {
    const options: Item[][] = [[]];
    while (position < pattern.length && peek() !== ")") {
      if (peek() === "|") {
        position++;
        options.push([]);
        continue;
      }
      const atom = readAtom();
      const [min, max] = quantifier();
      options[options.length - 1]!.push({ atom, min, max });
    }
    return options;
  }

  function readAtom(): string[] | Alternation {
    const char = pattern[position++];
    if (char === "\\" && pattern[position++] === "d") return [..."0123456789"];
    if (char === "(") {
      if (pattern.slice(position, position + 2) !== "?:") throw new Error(`unexpected group in ${pattern}`);
      position += 2;
      const inner = alternation();
      position++; // ")"
      return inner;
    }
    if (char === "[") {
      const end = pattern.indexOf("]", position);
      const body = pattern.slice(position, end);
      position = end + 1;
      const chars: string[] = [];
      for (let i = 0; i < body.length; i++) {
        if (body[i + 1] === "-" && i + 2 < body.length) {
          for (let code = body.charCodeAt(i); code <= body.charCodeAt(i + 2); code++) chars.push(String.fromCharCode(code));
          i += 2;
        } else if (body[i] === "\\" && body[i + 1] === "d") {
          chars.push(..."0123456789");
          i++;
        } else {
          chars.push(body[i]!);
        }
      }
      return chars;
    }
    if (char !== undefined && /\d/.test(char)) return [char];
    throw new Error(`unexpected ${char} in ${pattern}`);
  }

  function quantifier(): [number, number] {
    if (peek() === "?") {
      position++;
      return [0, 1];
    }
    if (peek() === "{") {
      const end = pattern.indexOf("}", position);
      const [min, max] = pattern.slice(position + 1, end).split(",");
      position = end + 1;
      return [Number(min), max === undefined ? Number(min) : Number(max)];
    }
    return [1, 1];
  }

  return alternation();
}

function generate(alternation: Alternation, random: () => number): string {
  const option = alternation[Math.floor(random() * alternation.length)]!;
  let out = "";
  for (const { atom, min, max } of option) {
    const count = min + Math.floor(random() * (max - min + 1));
    for (let i = 0; i < count; i++) {
      out += typeof atom[0] === "string" ? (atom as string[])[Math.floor(random() * atom.length)] : generate(atom as Alternation, random);
    }
  }
  return out;
}

function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("normalisePhoneNumber: recent verdicts are kept", () => {
  it("answers the same input with the same frozen verdict, and a different context with its own", () => {
    const first = normalisePhoneNumber({ phoneNumber: "020 7946 0018", defaultCountry: "GB" });
    const again = normalisePhoneNumber({ phoneNumber: "020 7946 0018", defaultCountry: "GB" });
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first).toMatchObject({ valid: true, e164: "+442079460018", country: "GB", source: "default_country" });
    // The same digits read in another context are another verdict, not the kept one.
    expect(normalisePhoneNumber({ phoneNumber: "020 7946 0018", defaultCountry: "US" })).toMatchObject({ valid: false });
    expect(normalisePhoneNumber({ phoneNumber: "020 7946 0018", requestCountry: "gb", defaultCountry: "US" })).toMatchObject({
      valid: true,
      source: "request_country",
    });
    expect(normalisePhoneNumber({ phoneNumber: "020 7946 0018", consumerLocation: "GB", defaultCountry: "US" })).toMatchObject({
      valid: true,
      source: "consumer_location",
    });
  });
});
