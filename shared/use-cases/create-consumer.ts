import type { Consumer } from "../core/model/consumer";
import { ServiceError } from "../core/errors";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import { requireValidNumber } from "../core/rules/require-valid-number";
import { isTimeZone } from "../core/rules/send-window";
import type { ProfileStore } from "../core/ports/profile-store";
import type { ConsumerStore } from "../core/ports/consumer-store";

export interface CreateConsumerDeps {
  consumers: Pick<ConsumerStore, "create">;
  profiles: Pick<ProfileStore, "createIfNoneActive">;
  clock: Clock;
  ids: IdGenerator;
  defaultCountry: string;
}

export interface CreateConsumerInput {
  id?: string;
  name: string;
  location?: string;
  timeZone?: string;
  phoneNumbers?: string[];
}

/**
 * Creates a consumer. Numbers written nationally are read in the consumer's location (else the
 * default country) and stored in E.164; two spellings of one phone are stored once.
 */
export async function createConsumer(deps: CreateConsumerDeps, input: CreateConsumerInput): Promise<Consumer> {
  const location = input.location?.toUpperCase();
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) {
    throw new ServiceError(
      "VALIDATION_FAILED",
      `timeZone '${input.timeZone}' is not an IANA time zone; give a name such as Europe/Paris or America/New_York`,
      { field: "timeZone" },
    );
  }
  const numbers = (input.phoneNumbers ?? []).map(
    (phoneNumber, index) =>
      requireValidNumber({ phoneNumber, consumerLocation: location, defaultCountry: deps.defaultCountry }, `phoneNumbers[${index}]`).e164,
  );
  const consumer: Consumer = {
    id: input.id ?? deps.ids.next("con"),
    name: input.name,
    ...(location ? { location } : {}),
    ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
    phoneNumbers: [...new Set(numbers)],
    createdAt: deps.clock.now().toISOString(),
  };
  if ((await deps.consumers.create(consumer)) === "already_exists") {
    throw new ServiceError("CONSUMER_ALREADY_EXISTS", `a consumer with id '${consumer.id}' already exists; choose another id or omit it`);
  }
  // Registering a number gives it an active channel user profile when none holds it; it never
  // moves one (only a confirmed send does).
  await Promise.all(
    consumer.phoneNumbers.map((phoneNumber) =>
      deps.profiles.createIfNoneActive({
        id: deps.ids.next("cup"),
        phoneNumber,
        channel: "sms",
        consumerId: consumer.id,
        active: true,
        createdAt: consumer.createdAt,
      }),
    ),
  );
  return consumer;
}
