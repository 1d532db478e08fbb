import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { followEvents as followEventsRoute } from "../../shared/adapters/http/routes/events";
import { sleep } from "../../shared/platform/backoff";
import { followEvents } from "../../shared/use-cases/follow-events";

const deps = { ...createAdapters(readConfig()), sleep };

/** Leaves the answer this long before the invocation's end (the function's timeout is above 20 s). */
const marginMs = 2000;

export const handler = httpHandler(followEventsRoute, (request) => {
  const remaining = request.remainingMs();
  const waitMs = Math.max(0, Math.min(Number(request.query.waitSeconds ?? 0) * 1000, remaining - marginMs));
  return followEvents(
    deps,
    { limit: Number(request.query.limit ?? 50), waitMs, ...(request.query.after !== undefined ? { after: request.query.after } : {}) },
    { agentId: request.caller.sub, admin: request.caller.groups.includes("admins") },
  );
});
