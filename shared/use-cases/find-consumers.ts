import type { Consumer } from "../core/model/consumer";
import { requireValidNumber } from "../core/rules/require-valid-number";
import type { ConsumerStore } from "../core/ports/consumer-store";

/** Consumers listing a number; the number may be written in any accepted format (default country applies). */
export async function findConsumersByPhoneNumber(
  deps: { consumers: Pick<ConsumerStore, "findByPhoneNumber">; defaultCountry: string },
  phoneNumber: string,
): Promise<{ items: Consumer[] }> {
  const { e164 } = requireValidNumber({ phoneNumber, defaultCountry: deps.defaultCountry }, "phoneNumber");
  return { items: await deps.consumers.findByPhoneNumber(e164) };
}
