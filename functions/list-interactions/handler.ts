import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { listInteractions } from "../../shared/use-cases/list-interactions";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.listInteractions, (request) => listInteractions(adapters, request.query, request.caller.sub));
