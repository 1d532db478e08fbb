import type { Provider } from "../model/provider";

export type CreateProviderResult = { outcome: "created" } | { outcome: "number_taken"; holderId: string | undefined };

export interface ProviderStore {
  /** Stores the provider and claims its number, all or nothing: a number belongs to one provider. */
  create(provider: Provider): Promise<CreateProviderResult>;
  get(providerId: string): Promise<Provider | undefined>;
  /** Every provider, oldest first (the configured order the compose screen shows). */
  list(): Promise<Provider[]>;
  /** Applies the change if the provider exists; undefined when it does not. */
  update(providerId: string, change: ProviderChange, updatedAt: string): Promise<Provider | undefined>;
}

/** A PATCH of a provider: absent fields stay; `null` removes a setting (back to its default). */
export interface ProviderChange {
  name?: string;
  active?: boolean;
  mps?: number | null;
  validForSeconds?: number | null;
  sendWindow?: string | null;
}
