import * as z from "zod/mini";
import { readsAs } from "../../schema-contract";
import { eventTypes, type ServiceEvent as CoreServiceEvent } from "../../../core/model/service-event";
import { EntityId, Timestamp, Cursor, PageLimit } from "./common";

// The event feed and an interaction's transcript. (one file per domain: a function's bundle builds only the schemas its route's domain declares).

export const ServiceEvent = readsAs<CoreServiceEvent>()(
  z.object({
    /** Unique: deduplicate by it (delivery to integrations is at least once). */
    id: z.string(),
    type: z.enum(eventTypes),
    occurredAt: Timestamp,
    interactionId: z.optional(EntityId),
    /** Within one interaction, strictly increasing in commit order (not contiguous). */
    sequence: z.optional(z.number()),
    actor: z.object({ type: z.enum(["agent", "customer", "system"]), id: z.optional(z.string()) }),
    data: z.record(z.string(), z.unknown()),
  }),
);
export const EventFeedQuery = z.strictObject({
  /** The cursor of the previous answer; without it, the answer is the cursor of now. */
  after: z.optional(Cursor),
  limit: z.optional(PageLimit),
  waitSeconds: z.optional(z.string().check(z.regex(/^(20|1?[0-9])$/, "must be a whole number of seconds from 0 to 20"))),
});
export const EventFeed = z.object({ items: z.array(ServiceEvent), cursor: z.string() });
export const InteractionEventsQuery = z.strictObject({ after: z.optional(Cursor), limit: z.optional(PageLimit) });
export const EventList = z.object({ items: z.array(ServiceEvent), cursor: z.optional(z.string()) });
