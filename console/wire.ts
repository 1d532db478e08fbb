/**
 * The HTTP contract the console reads, as TypeScript types: every request and answer of the API
 * is named here from console/api-contract.d.ts, which `npm run openapi` generates from
 * docs/openapi.json (itself generated from the route table and its schemas). A contract change
 * the console does not follow therefore fails `npm run typecheck`. Only the local server's own
 * routes (`/local/...`, never deployed, not in the contract) are written out by hand below.
 */
import type { paths } from "./api-contract";

type Method = "get" | "post" | "patch";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type Responses<P extends keyof paths, M extends Method> = Operation<P, M> extends { responses: infer R } ? R : never;

/** The JSON answer of a route at one status. */
export type Answer<P extends keyof paths, M extends Method, Status extends keyof Responses<P, M>> = JsonOf<Responses<P, M>[Status]>;
/** The JSON body a route takes. */
export type RequestBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

export type Provider = Answer<"/api/now/providers/{id}", "patch", 200>;
export type CreateProviderRequest = RequestBody<"/api/now/providers", "post">;
export type Consumer = Answer<"/api/now/consumers/{id}", "get", 200>;
export type CreateConsumerRequest = RequestBody<"/api/now/consumers", "post">;
export type Interaction = Answer<"/api/now/interactions/{id}", "get", 200>;
export type Participant = Interaction["participants"][number];
export type Message = Answer<"/api/now/interactions/{id}/messages", "get", 200>["items"][number];
export type ServiceEvent = Answer<"/api/now/interactions/{id}/events", "get", 200>["items"][number];
export type EventFeedPage = Answer<"/api/now/events", "get", 200>;
export type ProfileVerdict = Answer<"/api/now/initiate_message/validate_profile", "post", 200>;

export type ComposeOptions = Answer<"/api/now/initiate_message/compose_options", "get", 200>;
export type SendFromOption = ComposeOptions["sendFrom"][number];
export type InteractionSummary = NonNullable<ComposeOptions["activeInteraction"]>;
export type SendWindowReport = NonNullable<ComposeOptions["sendWindow"]>;

export type InitiateRequest = RequestBody<"/api/now/initiate_message", "post">;
type InitiateAnswers =
  | Answer<"/api/now/initiate_message", "post", 200>
  | Answer<"/api/now/initiate_message", "post", 201>
  | Answer<"/api/now/initiate_message", "post", 202>;
/** A send that took effect (200 injected, 201 created or replaced, 202 scheduled). */
export type InitiateAnswer = Exclude<InitiateAnswers, { dryRun: true }>;
/** What a send would do (200, `dryRun: true`). */
export type DryRunAnswer = Extract<InitiateAnswers, { dryRun: true }>;
export type Outcome = InitiateAnswer["outcome"];
export type EncodingReport = DryRunAnswer["message"];

/** A page of a list route. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

// The local server's own routes (local/local-routes.ts, local/console-routes.ts): not in the contract.

export interface InboundSmsPayload {
  originationNumber: string;
  destinationNumber: string;
  messageBody: string;
  inboundMessageId: string;
}

export interface OutboxEntry {
  id: string;
  from: string;
  to: string;
  body: string;
  sentAt: string;
}

export interface DevToken {
  token: string;
  sub: string;
  groups: string[];
  expiresAt: string;
}
