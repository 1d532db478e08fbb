import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { listInteractions as listInteractionsRoute } from "../../shared/adapters/http/routes/interactions";
import { listInteractions } from "../../shared/use-cases/list-interactions";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(listInteractionsRoute, (request) => listInteractions(adapters, request.query, request.caller.sub));
