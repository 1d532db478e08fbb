import { anyone, admins, type RouteDefinition } from "../route-definition";
import * as s from "../schemas/providers";

// The providers routes of the route table (routes.ts), one module per domain: a function's bundle imports its
// own route's module and so builds only that domain's schemas.

export const createProvider = {
  id: "create-provider",
  method: "POST",
  path: "/api/now/providers",
  summary: "Create a messaging provider (a send-from number)",
  groups: admins,
  body: s.CreateProviderRequest,
  responses: { 201: { description: "The provider", schema: s.Provider } },
  status: 201,
  errors: ["PROVIDER_NUMBER_TAKEN", "INVALID_PHONE_NUMBER"],
  tableAccess: "readWrite",
} as const satisfies RouteDefinition;

export const listProviders = {
  id: "list-providers",
  method: "GET",
  path: "/api/now/providers",
  summary: "List messaging providers, active and inactive",
  groups: anyone,
  responses: { 200: { description: "Every provider", schema: s.ProviderList } },
  status: 200,
  errors: [],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const updateProvider = {
  id: "update-provider",
  method: "PATCH",
  path: "/api/now/providers/{id}",
  summary: "Rename, deactivate or reactivate a provider",
  groups: admins,
  params: s.ProviderPath,
  body: s.UpdateProviderRequest,
  responses: { 200: { description: "The provider after the change", schema: s.Provider } },
  status: 200,
  errors: ["PROVIDER_NOT_FOUND"],
  tableAccess: "readWrite",
} as const satisfies RouteDefinition;
