import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { createPhoneInteraction } from "../../shared/use-cases/create-phone-interaction";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.createInteraction, (request) =>
  createPhoneInteraction(adapters, request.body, request.caller.sub),
);
