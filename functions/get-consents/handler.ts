import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { readConsents } from "../../shared/use-cases/consent-ledger";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.getConsents, (request) => readConsents(adapters, request.query.phoneNumber));
