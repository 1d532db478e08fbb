import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { getConsents as getConsentsRoute } from "../../shared/adapters/http/routes/consent";
import { readConsents } from "../../shared/use-cases/consent-ledger";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(getConsentsRoute, (request) => readConsents(adapters, request.query.phoneNumber));
