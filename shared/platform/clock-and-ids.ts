import { randomUUID } from "node:crypto";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";

export const systemClock: Clock = { now: () => new Date() };

export const randomIds: IdGenerator = {
  next: (prefix) => `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 20)}`,
};
