import type { Consumer } from "../core/model/consumer";
import { ServiceError } from "../core/errors";
import { requireValidNumber } from "../core/rules/require-valid-number";
import type { ConsumerStore } from "../core/ports/consumer-store";

export async function getConsumer(deps: { consumers: Pick<ConsumerStore, "get"> }, consumerId: string): Promise<Consumer> {
  const consumer = await deps.consumers.get(consumerId);
  if (!consumer) throw new ServiceError("CONSUMER_NOT_FOUND", `no consumer has id '${consumerId}'`);
  return consumer;
}

/** Consumers listing a number; the number may be written in any accepted format (default country applies). */
export async function findConsumersByPhoneNumber(
  deps: { consumers: Pick<ConsumerStore, "findByPhoneNumber">; defaultCountry: string },
  phoneNumber: string,
): Promise<{ items: Consumer[] }> {
  const { e164 } = requireValidNumber({ phoneNumber, defaultCountry: deps.defaultCountry }, "phoneNumber");
  return { items: await deps.consumers.findByPhoneNumber(e164) };
}
