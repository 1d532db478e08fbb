import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { listInteractionEvents as listInteractionEventsRoute } from "../../shared/adapters/http/routes/events";
import { listInteractionEvents } from "../../shared/use-cases/list-interaction-events";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(listInteractionEventsRoute, (request) =>
  listInteractionEvents(adapters, request.params.id, {
    limit: Number(request.query.limit ?? 50),
    ...(request.query.after !== undefined ? { after: request.query.after } : {}),
  }),
);
