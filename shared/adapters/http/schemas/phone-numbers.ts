import * as z from "zod/mini";
import { invalidReasons, numberSources, type NumberVerdict } from "../../../core/model/phone-number";
import { readsAs } from "../../schema-contract";
import { E164, CountryCode, EntityId, PhoneInput } from "./common";

// Validating a phone number. (one file per domain: a function's bundle builds only the schemas its route's domain declares).

export const NumberSource = z.enum(numberSources);
export const InvalidReason = z.enum(invalidReasons);

export const ValidatePhoneNumberRequest = z.strictObject({
  phoneNumber: PhoneInput,
  consumerId: z.optional(EntityId),
  country: z.optional(CountryCode),
});
export const ValidPhoneNumber = z.object({
  valid: z.literal(true),
  e164: E164,
  country: z.string(),
  source: NumberSource,
  type: z.optional(z.string()),
  extension: z.optional(z.string()),
});
export const InvalidPhoneNumber = z.object({
  valid: z.literal(false),
  reason: InvalidReason,
  message: z.string(),
});
export const ValidatePhoneNumberResponse = readsAs<NumberVerdict>()(z.union([ValidPhoneNumber, InvalidPhoneNumber]));
