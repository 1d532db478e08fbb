import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { findConsumersByPhoneNumber } from "../../shared/use-cases/find-consumers";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { findConsumers as findConsumersRoute } from "../../shared/adapters/http/routes/consumers";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(findConsumersRoute, (request) => findConsumersByPhoneNumber(adapters, request.query.phoneNumber));
