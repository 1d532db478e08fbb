import type { ServiceEvent } from "../model/service-event";

/** An entry the bus did not take, with the bus's code (e.g. ThrottlingException) and whether trying again may help. */
export interface RefusedEntry {
  event: ServiceEvent;
  code: string;
  retryable: boolean;
}

/** Where events go for integrations: Amazon EventBridge on AWS, a local file with `npm start`. */
export interface EventBus {
  /** Puts up to 10 events in one call; answers the ones it refused (the rest were taken). */
  put(events: ServiceEvent[]): Promise<RefusedEntry[]>;
}
