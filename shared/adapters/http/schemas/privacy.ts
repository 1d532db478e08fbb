import * as z from "zod/mini";
import { readsAs } from "../../schema-contract";
import {
  erasureSteps,
  type ErasureCounts as CoreErasureCounts,
  type ErasureReport as CoreErasureReport,
} from "../../../core/model/erasure";
import { E164, EntityId, PhoneInput, Timestamp, Cursor, PageLimit } from "./common";
import { Consumer } from "./consumers";
import { Interaction, DeliveredMessage, ChannelUserProfile } from "./interactions";
import { ConsentEntry } from "./consent";

// Privacy: export and erasure. (one file per domain: a function's bundle builds only the schemas its route's domain declares).

export const PrivacyExportQuery = z.strictObject({
  phoneNumber: PhoneInput,
  /** Records per page (profiles, consumers, entries, interactions and messages together), 1-100, default 100. */
  limit: z.optional(PageLimit),
  cursor: z.optional(Cursor),
});
export const PrivacyExport = z.object({
  phoneNumber: E164,
  profiles: z.array(ChannelUserProfile),
  consumers: z.array(Consumer),
  /** The consent ledger's entries, oldest first. */
  consents: z.array(ConsentEntry),
  interactions: z.array(Interaction),
  /** The messages of `interactions` (each names its `interactionId`), oldest first within each. */
  messages: z.array(DeliveredMessage),
  /** Present while more follows: pass it back as `cursor` and append each list. */
  cursor: z.optional(z.string()),
});
export const ErasureRequest = z.strictObject({ phoneNumber: PhoneInput });
export const ErasurePath = z.strictObject({ id: EntityId });
export const ErasureCounts = readsAs<CoreErasureCounts>()(
  z.object({
    profiles: z.number(),
    consumers: z.number(),
    interactions: z.number(),
    closedInteractions: z.number(),
    messages: z.number(),
    events: z.number(),
    consents: z.number(),
    optOutsKept: z.number(),
    itemsTouched: z.number(),
  }),
);
export const ErasureReport = readsAs<CoreErasureReport>()(
  z.object({
    id: z.string(),
    status: z.enum(["running", "completed"]),
    requestedAt: Timestamp,
    /** The administrator who asked. */
    requestedBy: z.string(),
    completedAt: z.optional(Timestamp),
    /** While running: the step it is at. */
    step: z.optional(z.enum(erasureSteps)),
    counts: ErasureCounts,
  }),
);
