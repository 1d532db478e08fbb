import type { Provider } from "../core/model/provider";
import { ServiceError } from "../core/errors";
import type { Clock } from "../core/ports/clock-and-ids";
import type { ProviderChange, ProviderStore } from "../core/ports/provider-store";

export async function updateProvider(
  deps: { providers: Pick<ProviderStore, "update">; clock: Clock },
  providerId: string,
  change: ProviderChange,
): Promise<Provider> {
  const updated = await deps.providers.update(providerId, change, deps.clock.now().toISOString());
  if (!updated) throw new ServiceError("PROVIDER_NOT_FOUND", `no provider has id '${providerId}'`);
  return updated;
}
