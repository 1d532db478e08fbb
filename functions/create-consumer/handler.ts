import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { createConsumer } from "../../shared/consumers/create-consumer";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.createConsumer, (request) => createConsumer(adapters, request.body));
