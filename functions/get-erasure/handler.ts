import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { getErasure } from "../../shared/use-cases/request-erasure";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.getErasure, (request) => getErasure(adapters, request.params.id));
