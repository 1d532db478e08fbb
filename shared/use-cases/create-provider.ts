import type { Provider } from "../core/model/provider";
import { ServiceError } from "../core/errors";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import { requireValidNumber } from "../core/rules/require-valid-number";
import type { ProviderStore } from "../core/ports/provider-store";

export interface CreateProviderDeps {
  providers: Pick<ProviderStore, "create">;
  clock: Clock;
  ids: IdGenerator;
  defaultCountry: string;
}

/**
 * Creates a provider. Its number must carry its country code (a send-from number has no "home"
 * country to guess from) and belongs to one provider for good: deactivate or rename it, never reuse.
 */
export async function createProvider(
  deps: CreateProviderDeps,
  input: { number: string; name: string; active?: boolean; mps?: number; validForSeconds?: number; sendWindow?: string },
): Promise<Provider> {
  const number = requireValidNumber({ phoneNumber: input.number, defaultCountry: deps.defaultCountry }, "number");
  if (number.source !== "input") {
    throw new ServiceError("INVALID_PHONE_NUMBER", "number: write the provider number with its country code, e.g. +14155550100", {
      reason: "INVALID_COUNTRY",
      field: "number",
    });
  }
  const now = deps.clock.now().toISOString();
  const provider: Provider = {
    id: deps.ids.next("prv"),
    number: number.e164,
    name: input.name,
    channel: "sms",
    active: input.active ?? true,
    ...(input.mps !== undefined ? { mps: input.mps } : {}),
    ...(input.validForSeconds !== undefined ? { validForSeconds: input.validForSeconds } : {}),
    ...(input.sendWindow !== undefined ? { sendWindow: input.sendWindow } : {}),
    createdAt: now,
    updatedAt: now,
  };
  const result = await deps.providers.create(provider);
  if (result.outcome === "number_taken") {
    throw new ServiceError(
      "PROVIDER_NUMBER_TAKEN",
      `${number.e164} already belongs to provider '${result.holderId ?? "unknown"}'; reactivate or rename that provider instead`,
      { providerId: result.holderId },
    );
  }
  return provider;
}
