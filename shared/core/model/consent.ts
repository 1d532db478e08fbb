/**
 * Consent to receive SMS, per (customer number, send-from number). The ledger keeps every change
 * as an entry; the current state of a pair is what its entries say last.
 */
export type ConsentState = "opted_in" | "opted_out";

/** Who said so: the customer's keyword, the carrier's refusal, an agent (on a call) or an administrator. */
export type ConsentSource = "keyword" | "agent" | "carrier" | "admin";

/** `providerNumber` for "every send-from number": an opt-out recorded with it blocks them all. */
export const everyProviderNumber = "*";

export interface ConsentEntry {
  id: string;
  /** The customer's number (E.164). */
  phoneNumber: string;
  /** The send-from number (E.164), or `*` for all of them. */
  providerNumber: string;
  state: ConsentState;
  source: ConsentSource;
  /** The agent or administrator who recorded it (the token's `sub`). */
  actorId?: string;
  /** What it rests on: the keyword as written, the carrier's answer, or a person's note. */
  evidence?: string;
  /** The message that carried it (keyword and carrier entries). */
  messageId?: string;
  at: string;
}

/** What `GET /api/now/consents` answers for one send-from number (or `*`). */
export interface ConsentStatus {
  providerNumber: string;
  state: ConsentState | "unknown";
  /** When the entry that decides `state` was recorded. */
  since?: string;
}
