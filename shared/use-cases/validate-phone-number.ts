import type { NumberVerdict } from "../core/model/phone-number";
import { ServiceError } from "../core/errors";
import type { ConsumerStore } from "../core/ports/consumer-store";
import { normalisePhoneNumber } from "../core/rules/normalise-phone-number";

export interface ValidatePhoneNumberDeps {
  consumers: Pick<ConsumerStore, "get">;
  defaultCountry: string;
}

export interface ValidatePhoneNumberInput {
  phoneNumber: string;
  consumerId?: string;
  country?: string;
}

/** Validates a number and converts it to E.164: request country, then the consumer's location, then the default. */
export async function validatePhoneNumber(deps: ValidatePhoneNumberDeps, input: ValidatePhoneNumberInput): Promise<NumberVerdict> {
  let consumerLocation: string | undefined;
  if (input.consumerId !== undefined) {
    const consumer = await deps.consumers.get(input.consumerId);
    if (!consumer) throw new ServiceError("CONSUMER_NOT_FOUND", `no consumer has id '${input.consumerId}'`);
    consumerLocation = consumer.location;
  }
  return normalisePhoneNumber({
    phoneNumber: input.phoneNumber,
    requestCountry: input.country,
    consumerLocation,
    defaultCountry: deps.defaultCountry,
  });
}
