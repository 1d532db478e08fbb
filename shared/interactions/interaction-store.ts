import type { Interaction } from "./interaction";

/** What the compose screen reads about interactions. The conversation engine extends this port. */
export interface InteractionReader {
  get(interactionId: string): Promise<Interaction | undefined>;
  /** Active SMS interactions whose customer number is `customerE164`, with any provider number. */
  findActiveSmsByCustomerNumber(customerE164: string): Promise<Interaction[]>;
}
