import * as z from "zod/mini";
import { parseSendWindow } from "../../../core/rules/send-window";
import type { Provider as CoreProvider } from "../../../core/model/provider";
import { readsAs } from "../../schema-contract";
import { E164, EntityId, PhoneInput, Timestamp } from "./common";

// Messaging providers (send-from numbers). (one file per domain: a function's bundle builds only the schemas its route's domain declares).

/** Message parts (segments) per second the number is allowed, e.g. 1 for a 10DLC number, 100 for a short code. */
// At least 0.001 (a part every 1,000 s): below that DynamoDB cannot store the number (it underflows).
const Mps = z
  .number()
  .check(z.gte(0.001, "must be at least 0.001 message parts per second"), z.lte(1000, "must be at most 1000 message parts per second"));
/** The number's own send window, the recipient's local time. */
const SendWindowText = z
  .string()
  .check(z.refine((text) => parseSendWindow(text) !== undefined, "must be HH:MM-HH:MM with the start before the end, such as 08:00-21:00"));
/** How long a message may wait for its hand-over, in seconds. */
const ValidForSeconds = z
  .number()
  .check(
    z.int("must be a whole number of seconds"),
    z.gte(60, "must be at least 60 seconds"),
    z.lte(259_200, "must be at most 259200 seconds (3 days)"),
  );

export const CreateProviderRequest = z.strictObject({
  number: PhoneInput,
  name: z.string().check(z.minLength(1, "must not be empty"), z.maxLength(100, "must be at most 100 characters")),
  channel: z.optional(z.literal("sms")),
  active: z.optional(z.boolean()),
  mps: z.optional(Mps),
  validForSeconds: z.optional(ValidForSeconds),
  sendWindow: z.optional(SendWindowText),
});
export const UpdateProviderRequest = z
  .strictObject({
    name: z.optional(z.string().check(z.minLength(1, "must not be empty"), z.maxLength(100, "must be at most 100 characters"))),
    active: z.optional(z.boolean()),
    /** null removes the limit. */
    mps: z.optional(z.nullable(Mps)),
    /** null goes back to the default (3600). */
    validForSeconds: z.optional(z.nullable(ValidForSeconds)),
    /** null goes back to the service's SEND_WINDOW. */
    sendWindow: z.optional(z.nullable(SendWindowText)),
  })
  .check(
    z.refine(
      (patch) => Object.values(patch).some((value) => value !== undefined),
      "give name, active, mps, validForSeconds or sendWindow (a provider's number cannot change: create a new provider)",
    ),
  );
export const Provider = readsAs<CoreProvider>()(
  z.object({
    id: EntityId,
    number: E164,
    name: z.string(),
    channel: z.literal("sms"),
    active: z.boolean(),
    mps: z.optional(z.number()),
    validForSeconds: z.optional(z.number()),
    sendWindow: z.optional(z.string()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
);
export const ProviderPath = z.strictObject({ id: EntityId });
export const ProviderList = z.object({ items: z.array(Provider) });
