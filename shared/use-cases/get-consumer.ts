import type { Consumer } from "../core/model/consumer";
import { ServiceError } from "../core/errors";
import type { ConsumerStore } from "../core/ports/consumer-store";

export async function getConsumer(deps: { consumers: Pick<ConsumerStore, "get"> }, consumerId: string): Promise<Consumer> {
  const consumer = await deps.consumers.get(consumerId);
  if (!consumer) throw new ServiceError("CONSUMER_NOT_FOUND", `no consumer has id '${consumerId}'`);
  return consumer;
}
