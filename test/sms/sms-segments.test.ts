import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { gsm7Septets, smsEncoding, smsLimits, smsParts } from "../../shared/core/rules/sms-segments";

/**
 * GSM 03.38 (3GPP TS 23.038) default alphabet, written independently of the implementation as
 * Unicode code points by table position. Position 0x1B is ESC (not a character).
 */
// prettier-ignore
const basicTable: (number | null)[] = [
  0x40, 0xa3, 0x24, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0x0a, 0xd8, 0xf8, 0x0d, 0xc5, 0xe5, // 0x00
  0x394, 0x5f, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398, 0x39e, null, 0xc6, 0xe6, 0xdf, 0xc9, // 0x10
  0x20, 0x21, 0x22, 0x23, 0xa4, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, // 0x20
  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, // 0x30
  0xa1, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, // 0x40
  0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0xc4, 0xd6, 0xd1, 0xdc, 0xa7, // 0x50
  0xbf, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, // 0x60
  0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0, // 0x70
];
/** Extension table: code after ESC → code point. */
const extensionTable: Record<number, number> = {
  0x0a: 0x0c, // form feed
  0x14: 0x5e, // ^
  0x28: 0x7b, // {
  0x29: 0x7d, // }
  0x2f: 0x5c, // \
  0x3c: 0x5b, // [
  0x3d: 0x7e, // ~
  0x3e: 0x5d, // ]
  0x40: 0x7c, // |
  0x65: 0x20ac, // €
};
const basicChars = basicTable.filter((cp): cp is number => cp !== null).map((cp) => String.fromCodePoint(cp));
const extensionChars = Object.values(extensionTable).map((cp) => String.fromCodePoint(cp));
const basic = new Set(basicChars);
const extension = new Set(extensionChars);

const a = (n: number) => "a".repeat(n);
const ogonek = (n: number) => "ą".repeat(n); // U+0105, not GSM, one UTF-16 unit
const grin = (n: number) => "😀".repeat(n); // U+1F600, a surrogate pair
const euro = (n: number) => "€".repeat(n);

/** Septets (GSM-7) or UTF-16 units (UCS-2) of each part. */
function partUnits(body: string): number[] {
  const { encoding, parts } = smsParts(body);
  return parts.map((part) => (encoding === "UCS-2" ? part.length : [...part].reduce((sum, c) => sum + (extension.has(c) ? 2 : 1), 0)));
}

describe("GSM 03.38 tables", () => {
  it("has 127 basic characters (128 positions less ESC) and 10 extension characters", () => {
    expect(basic.size).toBe(127);
    expect(extension.size).toBe(10);
  });

  it("costs one septet for every basic character and two for every extension character", () => {
    for (const c of basicChars) expect(gsm7Septets(c), `U+${c.codePointAt(0)?.toString(16)}`).toBe(1);
    for (const c of extensionChars) expect(gsm7Septets(c), `U+${c.codePointAt(0)?.toString(16)}`).toBe(2);
    expect(smsEncoding(basicChars.join(""))).toMatchObject({ encoding: "GSM-7", characters: 127 });
    expect(smsEncoding(extensionChars.join(""))).toMatchObject({ encoding: "GSM-7", characters: 20, segments: 1 });
  });

  it("treats every other BMP code point as not GSM-7, ESC included", () => {
    const wrong: string[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) {
      const c = String.fromCharCode(cp);
      if (basic.has(c) || extension.has(c)) continue;
      if (gsm7Septets(c) !== undefined || smsEncoding(c).encoding !== "UCS-2") wrong.push(cp.toString(16));
    }
    expect(wrong).toEqual([]);
    expect(smsEncoding("\u001b").encoding).toBe("UCS-2");
  });

  it("sends emoji, letters outside GSM and curly quotes as UCS-2", () => {
    for (const body of ["Hi 😀", "Zażółć", "ą", "\u2018quoted\u2019", "\u201cquoted\u201d", "ç", "Ω\u2126", "\u00a0", "\t"]) {
      expect(smsEncoding(body).encoding, body).toBe("UCS-2");
    }
    expect(smsEncoding("Ç é Ä ß Δ ¤ ¡ ¿ € [x] {y} ~|^\\").encoding).toBe("GSM-7");
  });
});

describe("GSM-7 parts", () => {
  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])("%i plain septets → %i part(s)", (n, segments) => {
    expect(smsEncoding(a(n))).toEqual({ encoding: "GSM-7", characters: n, segments });
  });

  it("counts an extension character as two septets: 80 × € = 160 septets is 1 part, 81 × € is 2", () => {
    expect(smsEncoding(euro(80))).toEqual({ encoding: "GSM-7", characters: 160, segments: 1 });
    expect(smsEncoding(euro(81))).toEqual({ encoding: "GSM-7", characters: 162, segments: 2 });
    // A part holds 76 € (152 septets): the 77th would be split, so it moves on.
    expect(partUnits(euro(81))).toEqual([152, 10]);
    expect(smsEncoding(a(159) + "€").segments).toBe(2); // 161 septets
    expect(smsEncoding(a(158) + "€")).toMatchObject({ characters: 160, segments: 1 });
  });

  it("moves an escape sequence that would straddle the 153-septet boundary to the next part", () => {
    // 152 'a' + '€' + 153 'a' = 307 septets. Part 1: 152 'a' (the € needs 2, only 1 left, so it
    // moves). Part 2: '€' + 151 'a' = 153. Part 3: the last 2 'a'. 3 parts, as ceil(307/153) too.
    const body = a(152) + "€" + a(153);
    expect(smsEncoding(body)).toEqual({ encoding: "GSM-7", characters: 307, segments: 3 });
    expect(smsParts(body).parts).toEqual([a(152), "€" + a(151), a(2)]);
    expect(partUnits(body)).toEqual([152, 153, 2]);

    // Where moving the escape costs a part: 152 'a' + '€' + 152 'a' = 306 septets, which
    // ceil(306/153) would call 2 parts, is 3: [152 'a'] ['€' + 151 'a'] ['a'].
    expect(smsEncoding(a(152) + "€" + a(152))).toMatchObject({ characters: 306, segments: 3 });
    expect(partUnits(a(152) + "€" + a(152))).toEqual([152, 153, 1]);
    // One 'a' earlier the € fits exactly in septets 152-153: 2 parts.
    expect(smsParts(a(151) + "€" + a(153)).parts).toEqual([a(151) + "€", a(153)]);
    // 153 × € = 306 septets: 76 a part, so 3 parts, not 2.
    expect(smsEncoding(euro(153))).toMatchObject({ characters: 306, segments: 3 });
    expect(partUnits(euro(153))).toEqual([152, 152, 2]);
  });
});

describe("UCS-2 parts", () => {
  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [201, 3],
    [202, 4],
  ])("%i units → %i part(s)", (n, segments) => {
    expect(smsEncoding(ogonek(n))).toEqual({ encoding: "UCS-2", characters: n, segments });
  });

  it("counts a surrogate pair as two units: 35 × 😀 = 70 units is 1 part, 36 × 😀 is 2", () => {
    expect(smsEncoding(grin(35))).toEqual({ encoding: "UCS-2", characters: 70, segments: 1 });
    expect(smsEncoding(grin(36))).toEqual({ encoding: "UCS-2", characters: 72, segments: 2 });
    // A part holds 33 emoji (66 units); the 34th would be split, so it moves on.
    expect(partUnits(grin(36))).toEqual([66, 6]);
  });

  it("moves a surrogate pair that would straddle the 67-unit boundary to the next part", () => {
    // 66 'ą' + 😀 + 66 'ą' = 134 units, which ceil(134/67) would call 2 parts. Part 1: 66 'ą'
    // (the pair needs 2, 1 left). Part 2: 😀 + 65 'ą' = 67. Part 3: the last 'ą'. 3 parts.
    const body = ogonek(66) + "😀" + ogonek(66);
    expect(smsEncoding(body)).toEqual({ encoding: "UCS-2", characters: 134, segments: 3 });
    expect(smsParts(body).parts).toEqual([ogonek(66), "😀" + ogonek(65), "ą"]);
    // One 'ą' earlier the pair fits exactly in units 66-67: 2 parts.
    expect(smsParts(ogonek(65) + "😀" + ogonek(67)).parts).toEqual([ogonek(65) + "😀", ogonek(67)]);
    // 67 × 😀 = 134 units: 33 a part, 3 parts.
    expect(smsEncoding(grin(67))).toMatchObject({ characters: 134, segments: 3 });
    // A single non-GSM character turns the whole body UCS-2, counted in UTF-16 units.
    expect(smsEncoding(a(69) + "😀")).toEqual({ encoding: "UCS-2", characters: 71, segments: 2 });
  });
});

describe("property: the characters reported compare with the limit of one part", () => {
  // Bodies around each limit, so both sides of it come up.
  const ucs2Body = fc
    .array(fc.constantFrom("ą", "😀", "a", "€", "\u2019"), { minLength: 30, maxLength: 80 })
    .map((cs) => "ą" + cs.join(""));
  const gsm7Body = fc.array(fc.constantFrom(...basicChars, ...extensionChars), { minLength: 75, maxLength: 175 }).map((cs) => cs.join(""));

  it("UCS-2: at most 70 characters is one segment, more is several", () => {
    fc.assert(
      fc.property(ucs2Body, (text) => {
        const { encoding, characters, segments } = smsEncoding(text);
        expect(encoding).toBe("UCS-2");
        expect(characters).toBe(text.length);
        expect(characters <= 70).toBe(segments === 1);
      }),
      { numRuns: 1000 },
    );
  });

  it("GSM-7: at most 160 characters is one segment, more is several (an extension character counts two)", () => {
    fc.assert(
      fc.property(gsm7Body, (text) => {
        const { encoding, characters, segments } = smsEncoding(text);
        expect(encoding).toBe("GSM-7");
        expect(characters).toBe([...text].reduce((sum, c) => sum + (extension.has(c) ? 2 : 1), 0));
        expect(characters <= 160).toBe(segments === 1);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("limits", () => {
  it("the 1,600-character maximum: GSM-7 11 parts (22 all-extension), UCS-2 24 parts (49 all-emoji)", () => {
    // 1,600 septets: 10 × 153 = 1,530, then 70.
    expect(smsEncoding(a(1600))).toEqual({ encoding: "GSM-7", characters: 1600, segments: 11 });
    // 3,200 septets at 76 € a part: 21 × 76 = 1,596, then 4.
    expect(smsEncoding(euro(1600))).toEqual({ encoding: "GSM-7", characters: 3200, segments: 22 });
    // 1,600 units: 23 × 67 = 1,541, then 59.
    expect(smsEncoding(ogonek(1600))).toEqual({ encoding: "UCS-2", characters: 1600, segments: 24 });
    // 3,200 units at 33 emoji a part: 48 × 33 = 1,584, then 16.
    expect(smsEncoding(grin(1600))).toEqual({ encoding: "UCS-2", characters: 3200, segments: 49 });
  });

  it("the empty body is one GSM-7 part of 0 units", () => {
    expect(smsEncoding("")).toEqual({ encoding: "GSM-7", characters: 0, segments: 1 });
    expect(smsParts("")).toEqual({ encoding: "GSM-7", parts: [""] });
  });

  it("counts characters as the encoding does: UTF-16 units in UCS-2 (an emoji two), septets in GSM-7 (€ two)", () => {
    expect(smsEncoding("👍🏽").characters).toBe(4);
    expect(smsEncoding("e\u0301").characters).toBe(2);
    expect(smsEncoding("👨‍👩‍👧").characters).toBe(8);
    // The example: 36 emoji are 72 characters, more than the 70 of one part.
    expect(smsEncoding(grin(36))).toEqual({ encoding: "UCS-2", characters: 72, segments: 2 });
    expect(smsEncoding("Price: 5€")).toEqual({ encoding: "GSM-7", characters: 10, segments: 1 });
  });

  it("exposes the per-part limits", () => {
    expect(smsLimits).toEqual({ "GSM-7": { single: 160, part: 153 }, "UCS-2": { single: 70, part: 67 } });
  });
});

describe("property: any string", () => {
  // Mostly GSM characters (so all-GSM bodies are common), some other code points and emoji, and
  // (via unit "binary") lone surrogates; lengths cross the single-part and multi-part limits.
  const char = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...basicChars) },
    { weight: 2, arbitrary: fc.constantFrom(...extensionChars) },
    { weight: 1, arbitrary: fc.constantFrom("😀", "ą", "\u2019", "\u001b", "👍🏽") },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  );
  const body = fc.oneof(
    fc.array(char, { maxLength: 500 }).map((cs) => cs.join("")),
    fc.string({ unit: "binary", maxLength: 400 }),
  );

  it("has ≥ 1 segment, is GSM-7 iff every character is in the GSM tables, and its greedy parts rebuild it", () => {
    fc.assert(
      fc.property(body, (text) => {
        const result = smsEncoding(text);
        const { encoding, parts } = smsParts(text);
        const chars = [...text];
        const allGsm = chars.every((c) => basic.has(c) || extension.has(c));

        expect(result.segments).toBeGreaterThanOrEqual(1);
        expect(result.segments).toBe(parts.length);
        expect(result.encoding).toBe(allGsm ? "GSM-7" : "UCS-2");
        expect(encoding).toBe(result.encoding);
        expect(parts.join("")).toBe(text);

        const cost = (c: string) => (encoding === "UCS-2" ? c.length : extension.has(c) ? 2 : 1);
        const size = (s: string) => [...s].reduce((sum, c) => sum + cost(c), 0);
        expect(result.characters).toBe(encoding === "UCS-2" ? text.length : size(text));
        const limits = smsLimits[encoding];
        // The characters reported compare with the limit of one part: at most 160 (GSM-7) or 70 (UCS-2) is one segment.
        expect(result.characters <= limits.single).toBe(result.segments === 1);
        if (result.characters <= limits.single) {
          expect(parts).toEqual([text]);
          return;
        }
        // Parts split between code points (never inside a surrogate pair), are non-empty, fit,
        // and are greedy: the next part's first character did not fit in what this one left.
        expect(parts.flatMap((p) => [...p])).toEqual(chars);
        parts.forEach((part, i) => {
          expect(part.length).toBeGreaterThan(0);
          expect(size(part)).toBeLessThanOrEqual(limits.part);
          const next = parts[i + 1];
          if (next !== undefined) expect(size(part) + cost([...next][0] as string)).toBeGreaterThan(limits.part);
        });
      }),
      { numRuns: 2000 },
    );
  });
});
