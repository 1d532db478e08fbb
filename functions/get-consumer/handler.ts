import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { getConsumer } from "../../shared/use-cases/get-consumer";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { getConsumer as getConsumerRoute } from "../../shared/adapters/http/routes/consumers";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(getConsumerRoute, (request) => getConsumer(adapters, request.params.id));
