import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { ConsoleAssets } from "./console-assets";

/**
 * What a local-only route is and what it may use: declared apart from the route table
 * (local-routes.ts) so that the modules contributing routes (console-routes.ts) import the shape,
 * not the table that imports them.
 */
export interface LocalServices {
  /** Absolute repository root (the folder holding `functions/`, `scripts/`). */
  repoRoot: string;
  /** Absolute DATA_DIR. */
  dataDir: string;
  tableName: string;
  dynamoDbEndpoint: string;
  /** The local SMS transport's file. */
  outboxFile: string;
  /** The local event bus's file (what the publisher would have put on EventBridge). */
  eventBusFile: string;
  /** DescribeTable on the local table; true when it answers. */
  tableReachable(): Promise<boolean>;
  /** The desk console's files, built once at start (rejects with the build's error). */
  consoleAssets(): Promise<ConsoleAssets>;
  /** A token signed with the server's key pair, as `npm run dev-token` prints it. */
  mintDevToken(subject: { sub: string; groups: string[] }): Promise<{ token: string; expiresAt: string }>;
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
