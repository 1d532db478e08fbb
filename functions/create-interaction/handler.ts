import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { createInteraction as createInteractionRoute } from "../../shared/adapters/http/routes/interactions";
import { createPhoneInteraction } from "../../shared/use-cases/create-phone-interaction";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(createInteractionRoute, (request) => createPhoneInteraction(adapters, request.body, request.caller.sub));
