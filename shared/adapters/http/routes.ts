import type { RouteDefinition } from "./route-definition";
import { validatePhoneNumber } from "./routes/phone-numbers";
import {
  composeOptions,
  initiateMessage,
  validateProfile,
  listProfiles,
  createInteraction,
  listInteractions,
  getInteraction,
  listMessages,
  closeInteraction,
  retryMessage,
} from "./routes/interactions";
import { createConsumer, getConsumer, findConsumers } from "./routes/consumers";
import { createProvider, listProviders, updateProvider } from "./routes/providers";
import { listInteractionEvents, followEvents } from "./routes/events";
import { getConsents, recordConsent } from "./routes/consent";
import { privacyExport, requestErasure, getErasure } from "./routes/privacy";

export type { RouteDefinition } from "./route-definition";

/**
 * The route table, declared once. It drives the CDK stack (one function per route, at
 * `functions/<id>/handler.ts`), the local server, request validation and the OpenAPI document.
 * Each route is declared in its domain's module (routes/): a handler imports only its own route,
 * so its bundle builds only its domain's schemas, not every route's.
 */
export const routes = {
  validatePhoneNumber,
  composeOptions,
  createConsumer,
  getConsumer,
  findConsumers,
  createProvider,
  listProviders,
  updateProvider,
  initiateMessage,
  validateProfile,
  listProfiles,
  createInteraction,
  listInteractions,
  getInteraction,
  listMessages,
  listInteractionEvents,
  followEvents,
  closeInteraction,
  retryMessage,
  getConsents,
  recordConsent,
  privacyExport,
  requestErasure,
  getErasure,
} as const satisfies Record<string, RouteDefinition>;

export type RouteKey = keyof typeof routes;
export const routeList: readonly RouteDefinition[] = Object.values(routes);
