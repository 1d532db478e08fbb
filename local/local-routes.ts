import { pathToFileURL } from "node:url";
import { join } from "node:path";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";

/**
 * Local-only routes: served by `npm start`, never deployed. Declared here, in one table; a feature
 * that needs one (`POST /local/inbound_sms`, `GET /local/outbox`) adds an entry to `localRoutes`.
 * A route is either open (`auth: "none"`) or behind the same JWT check as the API routes
 * (`auth: "jwt"`: the handler receives the API Gateway event with its claims and checks groups
 * itself, as API handlers do). Paths must not collide with the API route table (checked at start).
 */
export interface LocalServices {
  /** Absolute repository root (the folder holding `functions/`, `scripts/`). */
  repoRoot: string;
  /** Absolute DATA_DIR. */
  dataDir: string;
  tableName: string;
  dynamoDbEndpoint: string;
  /** DescribeTable on the local table; true when it answers. */
  tableReachable(): Promise<boolean>;
}

interface LocalRouteBase {
  /** Used as the Lambda-ish function name in logs. */
  readonly id: string;
  readonly method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  readonly path: string;
}

export type LocalRoute =
  | (LocalRouteBase & {
      readonly auth: "none";
      handle(event: APIGatewayProxyEventV2, services: LocalServices): Promise<APIGatewayProxyStructuredResultV2>;
    })
  | (LocalRouteBase & {
      readonly auth: "jwt";
      handle(event: APIGatewayProxyEventV2WithJWTAuthorizer, services: LocalServices): Promise<APIGatewayProxyStructuredResultV2>;
    });

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
    if (typeof loaded.buildOpenApiDocument !== "function") throw new Error("scripts/openapi-document.ts has no buildOpenApiDocument export");
    return json(200, loaded.buildOpenApiDocument());
  },
};

export const localRoutes: readonly LocalRoute[] = [health, openApi];
