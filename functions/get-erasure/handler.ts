import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { getErasure as getErasureRoute } from "../../shared/adapters/http/routes/privacy";
import { getErasure } from "../../shared/use-cases/request-erasure";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(getErasureRoute, (request) => getErasure(adapters, request.params.id));
