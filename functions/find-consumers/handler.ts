import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { findConsumersByPhoneNumber } from "../../shared/use-cases/find-consumers";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.findConsumers, (request) => findConsumersByPhoneNumber(adapters, request.query.phoneNumber));
