import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { isInGroup } from "../../shared/adapters/http/caller";
import { recordConsent as recordConsentRoute } from "../../shared/adapters/http/routes/consent";
import { recordConsent } from "../../shared/use-cases/consent-ledger";
import { numberHasherFor } from "../../shared/platform/number-hasher";

const config = readConfig();
// The privacy key, read on the first opt-in only: it lifts an opt-out an erasure kept.
const numberHasher = numberHasherFor(config);
const adapters = createAdapters(config, numberHasher ? { numberHasher } : {});

export const handler = httpHandler(recordConsentRoute, (request) =>
  recordConsent(adapters, request.body, { sub: request.caller.sub, admin: isInGroup(request.caller, ["admins"]) }),
);
