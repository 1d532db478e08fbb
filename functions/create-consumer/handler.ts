import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { createConsumer as createConsumerRoute } from "../../shared/adapters/http/routes/consumers";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(createConsumerRoute, (request) => createConsumer(adapters, request.body));
