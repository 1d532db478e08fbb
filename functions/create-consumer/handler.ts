import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.createConsumer, (request) => createConsumer(adapters, request.body));
