import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from "aws-lambda";
import type { JWTPayload } from "jose";
import { ServiceError } from "../shared/core/errors";
import { errorBody } from "../shared/adapters/http/error-status";
import { routeList, type RouteDefinition } from "../shared/adapters/http/routes";
import { createTableInput } from "../shared/adapters/dynamo/table-definition";
import {
  buildHttpApiEvent,
  createLambdaContext,
  findRoute,
  gatewayErrors,
  jsonResponse,
  newApiGatewayRequestId,
  toHttpResponse,
  type HttpResponse,
  type IncomingRequest,
  type RouteMatch,
} from "./api-gateway-emulator";
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from "./dynamodb-local";
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateKeyPair, verifyBearerToken, type LocalKeyPair } from "./local-jwt";
import { localRoutes, type LocalRoute, type LocalServices } from "./local-routes";

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = "127.0.0.1";
export { DEFAULT_DATA_DIR } from "./local-jwt";
export const LOCAL_TABLE_NAME = "agent-initiated-sms";
/** API Gateway HTTP APIs refuse payloads above 10 MB; the handlers enforce their own, smaller, limit. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway HTTP APIs wait at most 30 s for an integration, then answer 503. */
export const INTEGRATION_TIMEOUT_MS = 30_000;

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** How often the local server runs the idle-close sweep (IDLE_SWEEP_INTERVAL_MS; 0 turns it off). */
export const DEFAULT_IDLE_SWEEP_INTERVAL_MS = 60_000;

async function runIdleSweep(logError: (line: string) => void): Promise<void> {
  try {
    const moduleUrl = pathToFileURL(join(REPO_ROOT, "functions", "idle-close", "handler.ts")).href;
    const { handler } = (await import(moduleUrl)) as { handler: (event: unknown, context: Context) => Promise<unknown> };
    await handler({ source: "local.idle-sweep" }, createLambdaContext({ functionName: "idle-close", timeoutMs: 30_000 }));
  } catch (error) {
    logError(`idle sweep failed: ${String(error)}`);
  }
}

export interface LocalServerOptions {
  /** Idle-close sweep period in ms; 0 turns it off. Default one minute. */
  idleSweepIntervalMs?: number;
  /** Where the database and the JWT key pair live; made absolute against the working directory. */
  dataDir: string;
  /** HTTP port; 0 picks a free one. Default 3000. */
  port?: number;
  host?: string;
  /** Passed to the handlers as DEFAULT_COUNTRY (unset: the config default). */
  defaultCountry?: string;
  /** Passed to the handlers as COMPOSE_EXTENSION_MODULE. */
  composeExtensionModule?: string;
  tableName?: string;
  /** One line per request and the server's notices; default console.log. */
  log?: (line: string) => void;
  /** Handler failures (stack traces); default console.error. */
  logError?: (line: string) => void;
  integrationTimeoutMs?: number;
  maxRequestBodyBytes?: number;
}

export interface LocalServer {
  url: string;
  host: string;
  port: number;
  dataDir: string;
  tableName: string;
  dynamoDbEndpoint: string;
  issuer: string;
  audience: string;
  /** Closes the HTTP server and stops DynamoDB Local. Idempotent. */
  close(): Promise<void>;
  /** Last-resort synchronous cleanup (process `exit`): kills DynamoDB Local. */
  killNow(): void;
}

type LambdaHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyResultV2>;

type ServedRoute =
  | { kind: "api"; method: string; path: string; id: string; definition: RouteDefinition }
  | { kind: "local"; method: string; path: string; id: string; definition: LocalRoute };

/**
 * Starts DynamoDB Local under `<dataDir>/dynamodb`, makes sure the table exists, loads (or makes)
 * the JWT key pair under `<dataDir>/jwt`, sets the handlers' environment (TABLE_NAME,
 * DYNAMODB_ENDPOINT, DEFAULT_COUNTRY, COMPOSE_EXTENSION_MODULE) and serves the route table like
 * API Gateway. Handlers are imported on their first request, after the environment is set,
 * because they compose their dependencies at module scope. One server per process: the
 * environment and the handler modules are process-wide.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const logError = options.logError ?? ((line: string) => console.error(line));
  const dataDir = resolve(options.dataDir);
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  const host = options.host ?? DEFAULT_HOST;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const maxBody = options.maxRequestBodyBytes ?? MAX_REQUEST_BODY_BYTES;
  const served = servedRoutes();

  const dbPath = join(dataDir, "dynamodb");
  mkdirSync(dbPath, { recursive: true });
  const dynamoPort = await freePort();
  const [dynamoResult, keysResult] = await Promise.allSettled([startDynamoDbLocalQuickly(dbPath, dynamoPort), loadOrCreateKeyPair(dataDir)]);
  if (dynamoResult.status === "rejected") throw dynamoResult.reason;
  const dynamo: DynamoDbLocal = dynamoResult.value;
  let httpServer: Server | undefined;
  let dynamoClient: DynamoDBClient | undefined;
  let closing: Promise<void> | undefined;
  let idleSweep: NodeJS.Timeout | undefined;

  const close = () =>
    (closing ??= (async () => {
      clearInterval(idleSweep);
      if (httpServer?.listening) {
        const stopped = new Promise<void>((done) => httpServer!.close(() => done()));
        httpServer.closeAllConnections();
        await stopped;
      }
      dynamoClient?.destroy();
      await dynamo.stop();
    })());

  try {
    if (keysResult.status === "rejected") throw keysResult.reason;
    const keys: LocalKeyPair = keysResult.value;

    process.env.TABLE_NAME = tableName;
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    if (options.defaultCountry) process.env.DEFAULT_COUNTRY = options.defaultCountry;
    if (options.composeExtensionModule) process.env.COMPOSE_EXTENSION_MODULE = options.composeExtensionModule;
    // SMS go to the local outbox, kept with the data (GET /local/outbox lists it).
    process.env.SMS_TRANSPORT = "outbox";
    process.env.OUTBOX_FILE = join(dataDir, "outbox.jsonl");

    dynamoClient = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
      requestHandler: { requestTimeout: 3_000, connectionTimeout: 1_000 },
    });
    await ensureTable(dynamoClient, tableName);

    const client = dynamoClient;
    const services: LocalServices = {
      repoRoot: REPO_ROOT,
      dataDir,
      tableName,
      dynamoDbEndpoint: dynamo.endpoint,
      outboxFile: join(dataDir, "outbox.jsonl"),
      async tableReachable() {
        try {
          const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
          return described.Table?.TableStatus === "ACTIVE";
        } catch {
          return false;
        }
      },
    };

    const pipeline: Pipeline = { served, keys, services, integrationTimeoutMs, maxBody, log, logError };
    httpServer = createServer((req, res) => void serve(pipeline, req, res));
    httpServer.keepAliveTimeout = 5_000;
    const server = httpServer;
    await new Promise<void>((ready, fail) => {
      server.once("error", fail);
      server.listen(options.port ?? DEFAULT_PORT, host, () => {
        server.off("error", fail);
        ready();
      });
    });
    server.on("error", (error) => logError(`local server error: ${String(error)}`));
    const port = (server.address() as AddressInfo).port;
    // The idle close, which a schedule runs on AWS: the same handler on a timer.
    const sweepEveryMs = options.idleSweepIntervalMs ?? DEFAULT_IDLE_SWEEP_INTERVAL_MS;
    if (sweepEveryMs > 0) {
      idleSweep = setInterval(() => void runIdleSweep(logError), sweepEveryMs);
      idleSweep.unref();
    }
    const urlHost = host.includes(":") ? `[${host}]` : host;
    return {
      url: `http://${urlHost}:${port}`,
      host,
      port,
      dataDir,
      tableName,
      dynamoDbEndpoint: dynamo.endpoint,
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      close,
      killNow() {
        if (dynamo.process.exitCode === null && dynamo.process.signalCode === null) dynamo.process.kill("SIGKILL");
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * JVM flags that halve DynamoDB Local's start (C1 JIT only, serial GC: a dev database does not need
 * the optimising compiler), unless the user set JAVA_TOOL_OPTIONS. They go through the environment
 * for the one spawn: with the port given, startDynamoDbLocal spawns java before its first await,
 * so the variable is restored right after the call (harmless if that ever changes: no flags).
 */
export const DYNAMODB_LOCAL_JVM_FLAGS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

function startDynamoDbLocalQuickly(dbPath: string, port: number): Promise<DynamoDbLocal> {
  if (process.env.JAVA_TOOL_OPTIONS !== undefined) return startDynamoDbLocal({ dbPath, port });
  process.env.JAVA_TOOL_OPTIONS = DYNAMODB_LOCAL_JVM_FLAGS;
  try {
    return startDynamoDbLocal({ dbPath, port });
  } finally {
    delete process.env.JAVA_TOOL_OPTIONS;
  }
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceInUseException") throw error;
  }
}

function servedRoutes(): ServedRoute[] {
  const routes: ServedRoute[] = [
    ...localRoutes.map((definition): ServedRoute => ({ kind: "local", method: definition.method, path: definition.path, id: definition.id, definition })),
    ...routeList.map((definition): ServedRoute => ({ kind: "api", method: definition.method, path: definition.path, id: definition.id, definition })),
  ];
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path.replace(/\{[^}]+\}/g, "{}")}`;
    if (seen.has(key)) throw new Error(`two routes answer ${route.method} ${route.path}`);
    seen.add(key);
  }
  return routes;
}

// ---------------------------------------------------------------- per request

interface Pipeline {
  served: ServedRoute[];
  keys: LocalKeyPair;
  services: LocalServices;
  integrationTimeoutMs: number;
  maxBody: number;
  log: (line: string) => void;
  logError: (line: string) => void;
}

async function serve(pipeline: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const requestId = newApiGatewayRequestId();
  const method = (req.method ?? "GET").toUpperCase();
  const { rawPath, rawQueryString } = splitTarget(req.url ?? "/");
  let response: HttpResponse;
  try {
    response = await respond(pipeline, req, method, rawPath, rawQueryString, requestId);
  } catch (error) {
    pipeline.logError(`${method} ${rawPath} failed: ${describeError(error)}`);
    response = gatewayErrors.internal();
  }
  // An unread body (404, 413) is drained, not cut off: a client still sending would get EPIPE
  // instead of the answer.
  if (!req.complete) req.resume();
  res.writeHead(response.statusCode, {
    ...response.headers,
    "content-length": String(response.body.length),
    "apigw-requestid": requestId,
  });
  res.end(method === "HEAD" ? undefined : response.body);
  pipeline.log(`${method} ${rawPath} ${response.statusCode} ${Math.round(performance.now() - started)}ms`);
}

async function respond(
  pipeline: Pipeline,
  req: IncomingMessage,
  method: string,
  rawPath: string,
  rawQueryString: string,
  requestId: string,
): Promise<HttpResponse> {
  const lookup = findRoute(pipeline.served, method, rawPath);
  if (lookup.kind !== "match") {
    const message =
      lookup.kind === "method-mismatch"
        ? `no route for ${method} ${rawPath}; this path accepts ${lookup.allowed.join(", ")}`
        : `no route for ${method} ${rawPath}`;
    return jsonResponse(404, errorBody(new ServiceError("ROUTE_NOT_FOUND", message)));
  }
  const { match } = lookup;

  const body = await readBody(req, pipeline.maxBody);
  if (body === "too-large") return gatewayErrors.tooLarge();

  const route = match.route;
  const needsJwt = route.kind === "api" || route.definition.auth === "jwt";
  let claims: JWTPayload | undefined;
  if (needsJwt) {
    claims = await verifyBearerToken(headerValue(req, "authorization"), pipeline.keys);
    if (!claims) return gatewayErrors.unauthorized();
  }

  const request: IncomingRequest = {
    method,
    rawPath,
    rawQueryString,
    headers: req.headersDistinct,
    body,
    sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
    protocol: `HTTP/${req.httpVersion}`,
    port: req.socket.localPort,
  };
  const routeMatch: Pick<RouteMatch<ServedRoute>, "routeKey" | "pathParameters"> = match;

  const invocation = async (): Promise<unknown> => {
    if (route.kind === "local") {
      const local = route.definition;
      if (local.auth === "none") return local.handle(buildHttpApiEvent(request, routeMatch, undefined, { requestId }), pipeline.services);
      return local.handle(buildHttpApiEvent(request, routeMatch, claims!, { requestId }), pipeline.services);
    }
    const handler = await loadHandler(route.id);
    const event = buildHttpApiEvent(request, routeMatch, claims!, { requestId });
    const context = createLambdaContext({ functionName: route.id, timeoutMs: pipeline.integrationTimeoutMs });
    return handler(event, context);
  };

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((done) => {
    timer = setTimeout(() => done("timeout"), pipeline.integrationTimeoutMs);
  });
  try {
    const result = await Promise.race([invocation(), timedOut]);
    if (result === "timeout") {
      pipeline.logError(`${route.id}: no answer within ${pipeline.integrationTimeoutMs} ms`);
      return gatewayErrors.unavailable();
    }
    return toHttpResponse(result);
  } catch (error) {
    pipeline.logError(`${route.id} threw: ${describeError(error)}`);
    return gatewayErrors.internal();
  } finally {
    clearTimeout(timer);
  }
}

const handlers = new Map<string, Promise<LambdaHandler>>();

/** `functions/<id>/handler.ts`, imported once, on first use (a failed import is retried next time). */
function loadHandler(id: string): Promise<LambdaHandler> {
  let loading = handlers.get(id);
  if (!loading) {
    const url = pathToFileURL(join(REPO_ROOT, "functions", id, "handler.ts")).href;
    loading = import(url).then((module: { handler?: unknown }) => {
      if (typeof module.handler !== "function") throw new Error(`functions/${id}/handler.ts exports no handler function`);
      return module.handler as LambdaHandler;
    });
    handlers.set(id, loading);
    loading.catch(() => handlers.delete(id));
  }
  return loading;
}

function splitTarget(target: string): { rawPath: string; rawQueryString: string } {
  let pathAndQuery = target;
  if (!target.startsWith("/")) {
    try {
      const url = new URL(target);
      pathAndQuery = `${url.pathname}${url.search}`;
    } catch {
      pathAndQuery = "/";
    }
  }
  const question = pathAndQuery.indexOf("?");
  return question < 0
    ? { rawPath: pathAndQuery, rawQueryString: "" }
    : { rawPath: pathAndQuery.slice(0, question), rawQueryString: pathAndQuery.slice(question + 1) };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve("too-large");
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        done("too-large");
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      done(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      fail(error);
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
