import type { ConsumerStore } from "../core/ports/consumer-store";
import { ServiceError } from "../core/errors";
import { requireValidNumber } from "../core/rules/require-valid-number";
import type { ProfileStore } from "../core/ports/profile-store";

export interface ValidateProfileDeps {
  consumers: Pick<ConsumerStore, "get">;
  profiles: Pick<ProfileStore, "getActive" | "getProfile">;
  defaultCountry: string;
}

/**
 * Whose is this number on the SMS channel, from the point of view of the consumer the agent is
 * serving: free, theirs, or another consumer's (and sending would move it).
 */
export async function validateProfile(deps: ValidateProfileDeps, input: { consumerId: string; phoneNumber: string }) {
  const consumer = await deps.consumers.get(input.consumerId);
  if (!consumer) throw new ServiceError("CONSUMER_NOT_FOUND", `no consumer has id '${input.consumerId}'`);
  const { e164 } = requireValidNumber(
    { phoneNumber: input.phoneNumber, consumerLocation: consumer.location, defaultCountry: deps.defaultCountry },
    "phoneNumber",
  );
  const active = await deps.profiles.getActive(e164);
  if (!active) return { status: "available" as const, phoneNumber: e164 };
  const mine = active.consumerId === consumer.id;
  const [profile, holder] = await Promise.all([
    deps.profiles.getProfile(e164, active),
    mine ? Promise.resolve(consumer) : deps.consumers.get(active.consumerId),
  ]);
  if (mine) return { status: "associated_with_consumer" as const, phoneNumber: e164, ...(profile ? { profile } : {}) };
  const holderName = holder?.name ?? active.consumerId;
  return {
    status: "associated_with_other_consumer" as const,
    phoneNumber: e164,
    ...(profile ? { profile } : {}),
    currentConsumer: { id: active.consumerId, name: holderName },
    message: `The phone number ${e164} is currently associated to ${holderName}. Sending a new message will associate it to ${consumer.name}.`,
  };
}
