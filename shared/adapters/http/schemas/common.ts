import * as z from "zod/mini";
import { errorCodes } from "../../../core/errors";

// Wire pieces every domain's schemas share: numbers, ids, timestamps, cursors, groups, the error body. (one file per domain: a function's bundle builds only the schemas its route's domain declares).

export const E164 = z.string().check(z.regex(/^\+[1-9]\d{1,14}$/, "must be an E.164 number such as +14155550171"));
export const CountryCode = z.string().check(z.regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as US or GB"));
export const EntityId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be 1-64 letters, digits, '_', '.', ':' or '-'"));
export const PhoneInput = z.string().check(z.minLength(1, "must not be empty"), z.maxLength(64, "must be at most 64 characters"));
export const Timestamp = z.string();
/** A number a record keeps: E.164, or `erased` once a privacy erasure removed the customer's. */
export const PartyNumber = z.union([E164, z.literal("erased")]);

export const Group = z.enum(["agents", "admins"]);
export type Group = z.infer<typeof Group>;

/**
 * What `errorBody` answers: a code from the service's list and a message, and beside them any
 * details the error carries (`reason`, `field`, `currentConsumer`, `messageStatus`, ...), hence loose.
 */
export const ErrorResponse = z.object({
  error: z.looseObject({ code: z.enum(errorCodes), message: z.string() }),
});
export const Cursor = z.string().check(z.minLength(1, "must not be empty"), z.maxLength(2048, "is not a cursor this API gave"));
export const PageLimit = z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, "must be a whole number from 1 to 100"));
/** The path of an interaction's routes (its own, its messages', its events'). */
export const InteractionPath = z.strictObject({ id: EntityId });
