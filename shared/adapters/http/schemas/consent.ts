import * as z from "zod/mini";
import { readsAs } from "../../schema-contract";
import type { ConsentEntry as CoreConsentEntry } from "../../../core/model/consent";
import { E164, PhoneInput, Timestamp } from "./common";

// The consent ledger. (one file per domain: a function's bundle builds only the schemas its route's domain declares).

const ProviderNumberOrAll = z.union([E164, z.literal("*")]);
export const ConsentEntry = readsAs<CoreConsentEntry>()(
  z.object({
    id: z.string(),
    phoneNumber: E164,
    /** A send-from number, or `*` for all of them. */
    providerNumber: ProviderNumberOrAll,
    state: z.enum(["opted_in", "opted_out"]),
    source: z.enum(["keyword", "agent", "carrier", "admin"]),
    actorId: z.optional(z.string()),
    evidence: z.optional(z.string()),
    messageId: z.optional(z.string()),
    at: Timestamp,
  }),
);
export const ConsentsQuery = z.strictObject({ phoneNumber: PhoneInput });
export const ConsentReport = z.object({
  phoneNumber: E164,
  consents: z.array(
    z.object({
      providerNumber: ProviderNumberOrAll,
      state: z.enum(["opted_in", "opted_out", "unknown"]),
      since: z.optional(Timestamp),
    }),
  ),
  history: z.array(ConsentEntry),
});
export const RecordConsentRequest = z.strictObject({
  phoneNumber: PhoneInput,
  providerNumber: ProviderNumberOrAll,
  state: z.enum(["opted_in", "opted_out"]),
  /** What it rests on, e.g. "said so on the call of 2 Dec, ticket 4711". */
  evidence: z.optional(z.string().check(z.minLength(1, "must not be empty"), z.maxLength(500, "must be at most 500 characters"))),
});
export const RecordedConsent = z.object({ ...ConsentReport.shape, entry: ConsentEntry });
