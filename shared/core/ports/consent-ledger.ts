import type { ConsentEntry } from "../model/consent";
import type { PlannedEvent } from "../model/service-event";

/** A customer number's consent: every entry, and the opt-outs in force (what the send's transaction checks). */
export interface ConsentRecord {
  /** Oldest first. */
  entries: ConsentEntry[];
  /** Send-from numbers (or `*`) with an opt-out in force. */
  optOuts: string[];
}

/**
 * The consent ledger. Keyword and carrier entries are written by the inbound and delivery
 * transactions themselves; this port records a person's entry, with its effect and its event,
 * in one transaction.
 */
export interface ConsentLedger {
  read(phoneNumber: string): Promise<ConsentRecord>;
  /** Writes the entry and its `consent.changed` event; `opted_out` puts the opt-out in force (kept as it is if one is), `opted_in` lifts it. */
  record(entry: ConsentEntry, event: PlannedEvent): Promise<void>;
}
