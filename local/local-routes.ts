import { pathToFileURL } from "node:url";
import type { SNSEvent } from "aws-lambda";
import { lambdaContextFor } from "./invocation";
import { snsEvent } from "./sns-event";
import { loadHandler } from "./handler-loader";
import { functionTable, type FunctionTrigger } from "../shared/platform/function-table";
import { isInGroup, readCaller } from "../shared/adapters/http/caller";
import { ServiceError } from "../shared/core/errors";
import { errorBody, statusOf } from "../shared/adapters/http/error-status";
import { OutboxTransport } from "../shared/adapters/sms/outbox-transport";
import { LocalEventBus } from "../shared/adapters/events/local-event-bus";
import { join } from "node:path";
import type { LocalRoute, LocalServices } from "./local-route";
import { consoleRoutes } from "./console-routes";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

const health: LocalRoute = {
  id: "local-health",
  method: "GET",
  path: "/health",
  auth: "none",
  async handle(_event, services) {
    return (await services.tableReachable())
      ? json(200, { status: "ok" })
      : json(503, { status: "unavailable", message: `DynamoDB table ${services.tableName} is not reachable` });
  },
};

const openApi: LocalRoute = {
  id: "local-openapi",
  method: "GET",
  path: "/openapi.json",
  auth: "none",
  async handle(_event, services) {
    // Loaded on first use: the document builder pulls in every schema.
    const moduleUrl = pathToFileURL(join(services.repoRoot, "scripts", "openapi-document.ts")).href;
    const loaded = (await import(moduleUrl)) as { buildOpenApiDocument?: () => object };
    if (typeof loaded.buildOpenApiDocument !== "function")
      throw new Error("scripts/openapi-document.ts has no buildOpenApiDocument export");
    return json(200, loaded.buildOpenApiDocument());
  },
};

/**
 * A local stand-in for an SNS topic: the request body is what AWS would publish (the payload as
 * JSON), handed inside an SNS event to the real function subscribed to that topic.
 */
function snsRelay(id: string, path: string, functionDir: string): LocalRoute {
  return {
    id,
    method: "POST",
    path,
    auth: "none",
    async handle(event) {
      const handler = await loadHandler<SNSEvent, unknown[]>(functionDir);
      const message = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
      try {
        const [result] = await handler(snsEvent(message, functionDir), lambdaContextFor(functionDir));
        return json(200, result);
      } catch (error) {
        if (error instanceof ServiceError) return json(statusOf(error), errorBody(error));
        throw error;
      }
    },
  };
}

/**
 * Where each topic of the functions table is played locally: a customer's reply as the carrier
 * would deliver it (two-way SMS), a delivery receipt as End User Messaging's event destination
 * would publish it.
 */
export const topicRelayPaths = {
  "inbound-sms": "/local/inbound_sms",
  "delivery-receipts": "/local/delivery_receipt",
} as const satisfies Record<Extract<FunctionTrigger, { kind: "sns" }>["topic"], string>;

const topicRelays = functionTable.flatMap((fn) =>
  fn.trigger.kind === "sns" ? [snsRelay(`local-${fn.id}`, topicRelayPaths[fn.trigger.topic], fn.id)] : [],
);

/** A local file's entries, for admins only (as on the desk). */
function adminList(id: string, path: string, what: string, list: (services: LocalServices) => Promise<unknown[]>): LocalRoute {
  return {
    id,
    method: "GET",
    path,
    auth: "jwt",
    async handle(event, services) {
      if (!isInGroup(readCaller(event), ["admins"])) {
        return json(403, errorBody(new ServiceError("FORBIDDEN", `${what} is for group admins`)));
      }
      return json(200, await list(services));
    },
  };
}

/** What the local transport was handed. */
const outbox = adminList("local-outbox", "/local/outbox", "the outbox", (services) => new OutboxTransport(services.outboxFile).list());

/** What the event publisher would have put on EventBridge: `[{ EventBusName, Source, DetailType, Detail }]`. */
const eventBus = adminList("local-eventbus", "/local/eventbus", "the event bus", (services) =>
  new LocalEventBus(services.eventBusFile).list(),
);

/**
 * Local-only routes: served by `npm start`, never deployed. Declared here, in one table; a feature
 * that needs one (`POST /local/inbound_sms`, `GET /local/outbox`) adds an entry to `localRoutes`.
 * A route is either open (`auth: "none"`) or behind the same JWT check as the API routes
 * (`auth: "jwt"`: the handler receives the API Gateway event with its claims and checks groups
 * itself, as API handlers do). Paths must not collide with the API route table (checked at start).
 */
export const localRoutes: readonly LocalRoute[] = [health, openApi, ...topicRelays, outbox, eventBus, ...consoleRoutes];
