import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
} from "aws-lambda";
import { functionTable } from "../../shared/platform/function-table";
import { createStreamPoller } from "../../local/stream-poller";
import { LocalEventBus } from "../../shared/adapters/events/local-event-bus";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { routes, type RouteKey } from "../../shared/adapters/http/routes";
import { OutboxTransport } from "../../shared/adapters/sms/outbox-transport";
import type { ApiHandler } from "../../shared/adapters/http/http-handler";
import { lambdaContextFor, routeEvent } from "../../local/invocation";
import { expectDocumentedResponse } from "./openapi-responses";
import { createTestTable, type TestTable } from "./test-table";

export interface CallOptions {
  /** JSON body (serialised) — or `rawBody` for exact bytes. */
  body?: unknown;
  rawBody?: string;
  query?: Record<string, string>;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  /** Caller identity; groups are stringified as API Gateway does ("[agents admins]"). */
  as?: { sub: string; groups: string[] } | null;
  /**
   * `auto` (default): after the answer, the table's stream is delivered to the SMS sender, as the
   * event source mapping would, so a sent message is `sent` when `call` returns. `manual`: the
   * test calls `deliver()` itself (to look at `queued` first, or to lose the records on purpose).
   */
  stream?: "auto" | "manual";
}

export interface CallResult {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON
  headers: Record<string, unknown>;
}

export const agent = { sub: "agent-ann", groups: ["agents"] };
export const admin = { sub: "admin-ada", groups: ["admins"] };

/**
 * Real handlers (functions/<id>/handler.ts) against a fresh DynamoDB Local table. The environment
 * is set before the first handler import, as Lambda sets it before the module loads. Every answer
 * a test observes, through `call` or `handlerFor`, must be one docs/openapi.json documents: the
 * status listed for the route's operation and the body matching its schema, or the call throws.
 */
export async function createHarness(prefix: string, env: Record<string, string> = {}) {
  const table: TestTable = await createTestTable(prefix);
  const outboxFile = join(tmpdir(), `${table.tableName}-outbox.jsonl`);
  const eventBusFile = join(tmpdir(), `${table.tableName}-eventbus.jsonl`);
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    SMS_TRANSPORT: "outbox",
    OUTBOX_FILE: outboxFile,
    EVENTBUS_FILE: eventBusFile,
    ...env,
  });
  const loaded = new Map<RouteKey, ApiHandler>();
  // The sender's records, read from DynamoDB Local's stream the way the local server reads them.
  const dynamo = new DynamoDBClient({
    endpoint: table.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  // Every stream-fed function (the SMS sender, the event publisher) gets its records as the event
  // source mapping would hand them over.
  const stream = createStreamPoller({
    dynamo,
    endpoint: table.endpoint,
    tableName: table.tableName,
    startAt: "TRIM_HORIZON",
    consumers: functionTable.flatMap((fn) =>
      fn.trigger.kind === "stream"
        ? [
            {
              id: fn.id,
              filter: fn.trigger.filter,
              invoke: async (event: DynamoDBStreamEvent) => {
                const { handler } = (await import(`../../functions/${fn.id}/handler.ts`)) as {
                  handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
                };
                return handler(event, lambdaContext(fn.id));
              },
            },
          ]
        : [],
    ),
  });

  async function handlerFor(key: RouteKey): Promise<ApiHandler> {
    let handler = loaded.get(key);
    if (!handler) {
      const real = ((await import(`../../functions/${routes[key].id}/handler.ts`)) as { handler: ApiHandler }).handler;
      handler = async (event, context) => {
        const result = await real(event, context);
        expectDocumentedResponse(routes[key].id, result.statusCode ?? 200, parseBody(result.body));
        return result;
      };
      loaded.set(key, handler);
    }
    return handler;
  }

  async function call(key: RouteKey, options: CallOptions = {}): Promise<CallResult> {
    const handler = await handlerFor(key);
    const result = (await handler(apiEvent(key, options), lambdaContext(routes[key].id))) as APIGatewayProxyStructuredResultV2;
    // Only writes make stream records: a read-only route has nothing to deliver.
    if (options.stream !== "manual" && routes[key].tableAccess === "readWrite") await stream.drain();
    return { status: result.statusCode ?? 200, body: parseBody(result.body), headers: result.headers ?? {} };
  }

  return {
    table,
    call,
    handlerFor,
    outbox: new OutboxTransport(outboxFile),
    /** What the event publisher put on the (local) bus. */
    eventBus: new LocalEventBus(eventBusFile),
    /** Hands the stream's new records to the SMS sender now; resolves with how many records there were. */
    deliver: () => stream.drain(),
    stream,
  };
}

function parseBody(text: string | undefined): unknown {
  return text ? JSON.parse(text) : undefined;
}

export function apiEvent(key: RouteKey, options: CallOptions): APIGatewayProxyEventV2WithJWTAuthorizer {
  const rawBody = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return routeEvent(routes[key], {
    ...(options.params ? { params: options.params } : {}),
    ...(options.query ? { query: options.query } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(rawBody !== undefined ? { body: rawBody } : {}),
    caller: options.as === undefined ? agent : options.as,
  });
}

/**
 * The context of one invocation, with the function's deployed memory and timeout (the functions
 * table); a test may give another timeout (a deadline it wants to reach, or more room when it runs
 * many requests at once in one process, where each deployed request would have its own container).
 */
export function lambdaContext(functionId: string, timeoutMs?: number): Context {
  return lambdaContextFor(functionId, timeoutMs === undefined ? {} : { timeoutMs });
}
