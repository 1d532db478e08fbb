import type { SmsEncoding, SmsEncodingName, SmsEncodingReport } from "../model/sms-encoding";

/**
 * How an SMS body travels and how many parts (segments) it is sent as.
 *
 * Encoding
 * - GSM-7 when every character is in the GSM 03.38 (3GPP TS 23.038) default alphabet: the basic
 *   table costs one septet a character, the extension table (`^ { } \ [ ~ ] | €` and form feed)
 *   two, because each is sent as ESC followed by the character's code. ESC itself (0x1B) is not a
 *   character a message can hold: a U+001B in the body is not GSM-7. National language shift
 *   tables are not used.
 * - UCS-2 otherwise (emoji, `ą`, curly quotes, ...). Units are UTF-16 code units, which is what
 *   is actually sent: a character outside the BMP (most emoji) is a surrogate pair, two units.
 *
 * Parts
 * - A message of at most 160 septets (GSM-7) or 70 units (UCS-2) is one part.
 * - Longer, it is concatenated: each part holds 153 septets or 67 units (the rest of the 140
 *   bytes is the concatenation header). Parts are filled greedily, one character at a time, and a
 *   character never straddles two parts: an escape sequence (ESC + char, 2 septets) that does not
 *   fit in the septet left moves whole to the next part, as does a surrogate pair that does not
 *   fit in the unit left. So the count can exceed ceil(units / 153) or ceil(units / 67).
 * - The empty body is one part of 0 units (GSM-7): sending it would still be one message.
 *
 * Characters
 * - `characters` are what the encoding counts, so they compare with the limits of a part: GSM-7
 *   septets (an extension character such as € counts 2), UCS-2 UTF-16 code units (an emoji
 *   outside the BMP counts 2). At most 160 (GSM-7) or 70 (UCS-2) is one part, as a phone's
 *   counter shows it. Counting code points instead would report "36 characters · 2 segments (up
 *   to 70 in one)" for 36 emoji.
 * - The 1,600-character limit of a request (initiate-message.ts) counts code points, not these.
 */
const gsmBasic =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ" + // 0x00-0x1A; 0x1B is ESC, not a character
  "ÆæßÉ" + // 0x1C-0x1F
  " !\"#¤%&'()*+,-./0123456789:;<=>?" + // 0x20-0x3F
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§" + // 0x40-0x5F
  "¿abcdefghijklmnopqrstuvwxyzäöñüà"; // 0x60-0x7F
const gsmExtension = "\f^{}\\[~]|€";

/** The 127 characters of the GSM 03.38 basic table (one septet each). */
export const gsm7BasicCharacters: ReadonlySet<string> = new Set(gsmBasic);
/** The 10 characters of the GSM 03.38 extension table (ESC + code: two septets each). */
export const gsm7ExtensionCharacters: ReadonlySet<string> = new Set(gsmExtension);

export const smsLimits = {
  "GSM-7": { single: 160, part: 153 },
  "UCS-2": { single: 70, part: 67 },
} as const satisfies Record<SmsEncodingName, { single: number; part: number }>;

/** Septets one code point costs in GSM-7, or undefined when it is not in the GSM 03.38 tables. */
export function gsm7Septets(char: string): 1 | 2 | undefined {
  if (gsm7BasicCharacters.has(char)) return 1;
  if (gsm7ExtensionCharacters.has(char)) return 2;
  return undefined;
}

interface Layout {
  encoding: SmsEncodingName;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  /** Each part as a string; joined they give the body back. */
  parts: string[];
}

function layout(body: string): Layout {
  const chars = [...body];
  const septets = chars.map(gsm7Septets);
  const gsm = septets.every((cost) => cost !== undefined);
  const encoding: SmsEncodingName = gsm ? "GSM-7" : "UCS-2";
  // UCS-2: a code point costs its UTF-16 length (2 for a surrogate pair, 1 for anything else,
  // including a lone surrogate).
  const costs = gsm ? (septets as number[]) : chars.map((char) => char.length);
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const limits = smsLimits[encoding];
  if (units <= limits.single) return { encoding, units, parts: [body] };

  const parts: string[] = [];
  let current = "";
  let used = 0;
  chars.forEach((char, index) => {
    const cost = costs[index] as number;
    if (used + cost > limits.part) {
      parts.push(current);
      current = "";
      used = 0;
    }
    current += char;
    used += cost;
  });
  parts.push(current);
  return { encoding, units, parts };
}

export function encodingReport(body: string): SmsEncodingReport {
  const { encoding, segments, characters } = smsEncoding(body);
  return { encoding, segments, characters };
}

export function smsEncoding(body: string): SmsEncoding {
  const { encoding, units, parts } = layout(body);
  return { encoding, characters: units, segments: parts.length };
}

/**
 * The parts an encoder sends the body as, filled greedily without splitting an escape sequence
 * or a surrogate pair. Always at least one part (`[""]` for the empty body); `parts.join("")`
 * is the body.
 */
export function smsParts(body: string): { encoding: SmsEncodingName; parts: string[] } {
  const { encoding, parts } = layout(body);
  return { encoding, parts };
}
