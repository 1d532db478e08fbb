import { ServiceError } from "../core/errors";
import { everyProviderNumber, type ConsentEntry, type ConsentState, type ConsentStatus } from "../core/model/consent";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import type { ConsentLedger } from "../core/ports/consent-ledger";
import type { ProviderStore } from "../core/ports/provider-store";
import { consentStatuses } from "../core/rules/consent";
import { eventsOf } from "../core/rules/event-catalogue";
import { requireValidNumber } from "../core/rules/require-valid-number";

export interface ConsentAnswer {
  phoneNumber: string;
  /** The current state per send-from number that has any (and `*` when it has). */
  consents: ConsentStatus[];
  /** Every entry, oldest first. */
  history: ConsentEntry[];
}

/** `GET /api/now/consents?phoneNumber=`: the number's current consent per send-from number, and its history. */
export async function readConsents(
  deps: { consents: Pick<ConsentLedger, "read">; defaultCountry: string },
  phoneNumber: string,
): Promise<ConsentAnswer> {
  const { e164 } = requireValidNumber({ phoneNumber, defaultCountry: deps.defaultCountry }, "phoneNumber");
  const { entries, optOuts } = await deps.consents.read(e164);
  return { phoneNumber: e164, consents: consentStatuses(entries, optOuts), history: entries };
}

export interface RecordConsentInput {
  phoneNumber: string;
  /** A send-from number of this service, or `*` for all of them. */
  providerNumber: string;
  state: ConsentState;
  evidence?: string;
}

export interface ConsentRecorder {
  sub: string;
  /** An administrator may record an opt-in; an agent only an opt-out. */
  admin: boolean;
}

/**
 * `POST /api/now/consents`: a person records what the customer said outside SMS. An agent may
 * record an opt-out (the customer asked on a call); only an administrator an opt-in, since it
 * reopens a number to sends. The entry, its effect on sending and its `consent.changed` event are
 * one transaction, so a send decided at the same moment is refused by its own transaction's check.
 */
export async function recordConsent(
  deps: {
    consents: ConsentLedger;
    providers: Pick<ProviderStore, "list">;
    clock: Clock;
    ids: IdGenerator;
    defaultCountry: string;
  },
  input: RecordConsentInput,
  caller: ConsentRecorder,
): Promise<ConsentAnswer & { entry: ConsentEntry }> {
  if (input.state === "opted_in" && !caller.admin) {
    throw new ServiceError(
      "FORBIDDEN",
      "only an administrator may record an opt-in; an agent may record an opt-out (the customer can also reply START)",
    );
  }
  const { e164 } = requireValidNumber({ phoneNumber: input.phoneNumber, defaultCountry: deps.defaultCountry }, "phoneNumber");
  if (input.providerNumber !== everyProviderNumber) {
    // A typo must not record an opt-out that blocks nothing.
    const providers = await deps.providers.list();
    if (!providers.some((provider) => provider.number === input.providerNumber)) {
      throw new ServiceError(
        "UNKNOWN_SEND_FROM",
        `providerNumber ${input.providerNumber} is not a send-from number of this service; give one of GET /api/now/providers, or "*" for all of them`,
      );
    }
  }
  const entry: ConsentEntry = {
    id: deps.ids.next("cns"),
    phoneNumber: e164,
    providerNumber: input.providerNumber,
    state: input.state,
    source: caller.admin ? "admin" : "agent",
    actorId: caller.sub,
    ...(input.evidence !== undefined ? { evidence: input.evidence } : {}),
    at: deps.clock.now().toISOString(),
  };
  await deps.consents.record(entry, eventsOf.consentChanged(deps.ids.next("evt"), entry, { type: "agent", id: caller.sub }));
  const { entries, optOuts } = await deps.consents.read(e164);
  return { entry, phoneNumber: e164, consents: consentStatuses(entries, optOuts), history: entries };
}
