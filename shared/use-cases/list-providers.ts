import type { Provider } from "../core/model/provider";
import type { ProviderStore } from "../core/ports/provider-store";

export async function listProviders(deps: { providers: Pick<ProviderStore, "list"> }): Promise<{ items: Provider[] }> {
  return { items: await deps.providers.list() };
}
