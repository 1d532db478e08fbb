import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { ComposeDefaultsExtension } from "../shared/core/ports/compose-defaults-extension";

/**
 * Example extension: send from a number in the customer's own country when the desk has one.
 * Domestic senders are cheaper, are required by some countries' carriers (long codes across
 * borders get filtered), and let the customer reply without international charges.
 *
 * Plug it in with `COMPOSE_EXTENSION_MODULE=extensions/prefer-local-sender.ts npm start`, or
 * `npx cdk deploy -c composeExtension=extensions/prefer-local-sender.ts`.
 */
const preferLocalSender: ComposeDefaultsExtension = {
  name: "prefer-local-sender",
  composeDefaults({ providers, candidateNumbers }) {
    const defaultSendTo = candidateNumbers[0] ?? null;
    const customerCountry = defaultSendTo ? parsePhoneNumberFromString(defaultSendTo)?.country : undefined;
    const local = providers.find((provider) => parsePhoneNumberFromString(provider.number)?.country === customerCountry);
    return {
      sendFrom: [...providers],
      defaultSendFrom: (local ?? providers[0])?.number ?? null,
      sendTo: [...candidateNumbers],
      defaultSendTo,
    };
  },
};

export default preferLocalSender;
