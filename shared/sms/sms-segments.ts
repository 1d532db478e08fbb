/**
 * How an SMS body travels: GSM-7 when every character is in the GSM 03.38 alphabet (extension
 * characters cost two septets), else UCS-2. One part holds 160 septets or 70 UCS-2 units; a
 * concatenated message's parts hold 153 and 67 (the rest is the concatenation header).
 */
const gsmBasic =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const gsmExtension = "^{}\\[~]|€\f";
const basic = new Set(gsmBasic);
const extension = new Set(gsmExtension);

export interface SmsEncoding {
  encoding: "GSM-7" | "UCS-2";
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the body needs. */
  units: number;
  segments: number;
  characters: number;
}

export function smsEncoding(body: string): SmsEncoding {
  const characters = [...body].length;
  let septets = 0;
  for (const char of body) {
    if (basic.has(char)) septets += 1;
    else if (extension.has(char)) septets += 2;
    else {
      const units = body.length;
      return { encoding: "UCS-2", units, segments: units <= 70 ? 1 : Math.ceil(units / 67), characters };
    }
  }
  return { encoding: "GSM-7", units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153), characters };
}
