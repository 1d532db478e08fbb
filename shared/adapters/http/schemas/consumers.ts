import * as z from "zod/mini";
import type { Consumer as CoreConsumer } from "../../../core/model/consumer";
import { readsAs } from "../../schema-contract";
import { E164, CountryCode, EntityId, PhoneInput, Timestamp } from "./common";

// Consumers (customers) and their numbers. (one file per domain: a function's bundle builds only the schemas its route's domain declares).

export const CreateConsumerRequest = z.strictObject({
  id: z.optional(EntityId),
  name: z.string().check(z.minLength(1, "must not be empty"), z.maxLength(200, "must be at most 200 characters")),
  location: z.optional(CountryCode),
  /** IANA time zone name, checked by the use case (an unknown zone is a 400 that says so). */
  timeZone: z.optional(z.string().check(z.minLength(1, "must not be empty"), z.maxLength(64, "must be at most 64 characters"))),
  phoneNumbers: z.optional(z.array(PhoneInput).check(z.maxLength(10, "at most 10 numbers per consumer"))),
});
export const Consumer = readsAs<CoreConsumer>()(
  z.object({
    id: EntityId,
    name: z.string(),
    location: z.optional(z.string()),
    timeZone: z.optional(z.string()),
    phoneNumbers: z.array(E164),
    createdAt: Timestamp,
  }),
);
export const ConsumerPath = z.strictObject({ id: EntityId });
export const FindConsumersQuery = z.strictObject({ phoneNumber: PhoneInput });
export const ConsumerList = z.object({ items: z.array(Consumer) });
