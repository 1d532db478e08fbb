import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { listMessages as listMessagesRoute } from "../../shared/adapters/http/routes/interactions";
import { listInteractionMessages } from "../../shared/use-cases/list-messages";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(listMessagesRoute, (request) =>
  listInteractionMessages(adapters, request.params.id, {
    limit: Number(request.query.limit ?? 100),
    ...(request.query.after !== undefined ? { after: request.query.after } : {}),
  }),
);
