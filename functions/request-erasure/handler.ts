import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { requestErasure as requestErasureRoute } from "../../shared/adapters/http/routes/privacy";
import { requestErasure } from "../../shared/use-cases/request-erasure";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(requestErasureRoute, (request) => requestErasure(adapters, request.body, { sub: request.caller.sub }));
