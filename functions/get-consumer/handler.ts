import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { getConsumer } from "../../shared/consumers/read-consumers";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.getConsumer, (request) => getConsumer(adapters, request.params.id));
