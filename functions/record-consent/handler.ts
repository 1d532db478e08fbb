import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { isInGroup } from "../../shared/adapters/http/caller";
import { routes } from "../../shared/adapters/http/routes";
import { recordConsent } from "../../shared/use-cases/consent-ledger";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.recordConsent, (request) =>
  recordConsent(adapters, request.body, { sub: request.caller.sub, admin: isInGroup(request.caller, ["admins"]) }),
);
