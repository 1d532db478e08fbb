/** The two alphabets an SMS is sent in: GSM 03.38 septets, or UCS-2 when a character is not in GSM-7. */
export type SmsEncodingName = "GSM-7" | "UCS-2";

/** How a body goes as SMS: its alphabet, its length as that alphabet counts it, and the parts it is sent in. */
export interface SmsEncoding {
  encoding: SmsEncodingName;
  /** Characters as the encoding counts them: septets (GSM-7) or UTF-16 code units (UCS-2). */
  characters: number;
  /** Parts the message is sent as, at least 1 (the empty body is 1 part). */
  segments: number;
}

/** What an answer reports about a body: its encoding, parts and characters. */
export type SmsEncodingReport = Pick<SmsEncoding, "encoding" | "segments" | "characters">;
