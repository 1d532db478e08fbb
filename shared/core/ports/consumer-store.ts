import type { Consumer } from "../model/consumer";

export interface ConsumerStore {
  /** Stores the consumer and one link per phone number, all or nothing. */
  create(consumer: Consumer): Promise<"created" | "already_exists">;
  get(consumerId: string): Promise<Consumer | undefined>;
  /** Consumers whose phone numbers include `e164`. */
  findByPhoneNumber(e164: string): Promise<Consumer[]>;
}
