import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { createTableInput } from "../shared/adapters/dynamo/table-definition";
import { functionTable } from "../shared/platform/function-table";
import { lambdaContextFor } from "./invocation";
import { freePort, startDynamoDbLocal, type DynamoDbLocal } from "./dynamodb-local";
import { serve, servedRoutes, type Pipeline } from "./gateway";
import { loadHandler, REPO_ROOT } from "./handler-loader";
import { buildConsoleAssets, type ConsoleAssets } from "./console-assets";
import { DEFAULT_TTL_SECONDS, LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateKeyPair, signDevToken, type LocalKeyPair } from "./local-jwt";
import type { LocalServices } from "./local-route";
import { startStreamPoller, type StreamPoller } from "./stream-poller";
import { loadOrCreateKeyFile } from "../shared/adapters/secrets/key-file";

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = "127.0.0.1";
export { DEFAULT_DATA_DIR } from "./local-jwt";
export const LOCAL_TABLE_NAME = "agent-initiated-sms";
/** API Gateway HTTP APIs refuse payloads above 10 MB; the handlers enforce their own, smaller, limit. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway HTTP APIs wait at most 30 s for an integration, then answer 503. */
export const INTEGRATION_TIMEOUT_MS = 30_000;

/** How often the local server runs the idle-close sweep (IDLE_SWEEP_INTERVAL_MS; 0 turns it off). */
export const DEFAULT_IDLE_SWEEP_INTERVAL_MS = 60_000;
/** How often the local server runs the SMS sweep (SMS_SWEEP_INTERVAL_MS; 0 turns it off): often, so a crash heals in seconds. */
export const DEFAULT_SMS_SWEEP_INTERVAL_MS = 2_000;
/** How often the local server runs the privacy erasure worker (ERASURE_INTERVAL_MS; 0 turns it off); every minute on AWS. */
export const DEFAULT_ERASURE_INTERVAL_MS = 2_000;

/**
 * Every scheduled function of the functions table, on a timer (EventBridge's schedule on AWS).
 * Locally the idle close runs every minute (IDLE_SWEEP_INTERVAL_MS), so a short IDLE_CLOSE_AFTER
 * can be tried out, and the SMS sweep every 2 s (SMS_SWEEP_INTERVAL_MS), and once at start so
 * what a killed server left pending moves on; the others at their declared rate. A run never
 * overlaps the previous one.
 */
function startSchedules(
  intervals: { idleSweepMs: number; smsSweepMs: number; erasureMs: number },
  logError: (line: string) => void,
): NodeJS.Timeout[] {
  const localEvery: Record<string, number> = {
    "idle-close": intervals.idleSweepMs,
    "sms-sweep": intervals.smsSweepMs,
    "privacy-erasure": intervals.erasureMs,
  };
  return functionTable.flatMap((fn) => {
    if (fn.trigger.kind !== "schedule") return [];
    const everyMs = localEvery[fn.id] ?? fn.trigger.everyMinutes * 60_000;
    if (everyMs <= 0) return [];
    let running = false;
    const run = async () => {
      if (running) return;
      running = true;
      try {
        const handler = await loadHandler(fn.id);
        await handler({ source: "local.schedule", "detail-type": "Scheduled Event" }, lambdaContextFor(fn.id));
      } catch (error) {
        logError(`${fn.id} (scheduled) failed: ${String(error)}`);
      } finally {
        running = false;
      }
    };
    // What a killed server left pending (SMS, erasures) moves on at once.
    if (fn.id === "sms-sweep" || fn.id === "privacy-erasure") void run();
    const timer = setInterval(() => void run(), everyMs);
    timer.unref();
    return [timer];
  });
}

export interface LocalServerOptions {
  /** Idle-close sweep period in ms; 0 turns it off. Default one minute. */
  idleSweepIntervalMs?: number;
  /** SMS sweep period in ms; 0 turns it off. Default 2 s. */
  smsSweepIntervalMs?: number;
  /** Privacy erasure worker period in ms; 0 turns it off. Default 2 s. */
  erasureIntervalMs?: number;
  /** Where the database and the JWT key pair live; made absolute against the working directory. */
  dataDir: string;
  /** HTTP port; 0 picks a free one. Default 3000. */
  port?: number;
  /** DynamoDB Local's port (always on 127.0.0.1); unset or 0 picks a free one. Fixed for `sam local invoke`'s `--env-vars`. */
  dynamoDbPort?: number;
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

/**
 * Starts DynamoDB Local under `<dataDir>/dynamodb`, makes sure the table exists, loads (or makes)
 * the JWT key pair under `<dataDir>/jwt`, sets the handlers' environment (TABLE_NAME,
 * DYNAMODB_ENDPOINT, DEFAULT_COUNTRY, COMPOSE_EXTENSION_MODULE), serves the HTTP functions of the
 * functions table like API Gateway (`gateway.ts`) and runs the scheduled ones on timers. Handlers are imported on their first request, after the environment is set,
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

  // The desk console is bundled while DynamoDB Local starts; its routes wait for it, nothing else does.
  const consoleBuild: Promise<ConsoleAssets> = buildConsoleAssets(REPO_ROOT);
  consoleBuild.catch((error: unknown) => logError(`the desk console did not build: ${String(error)}`));

  const dbPath = join(dataDir, "dynamodb");
  mkdirSync(dbPath, { recursive: true });
  const dynamoPort = options.dynamoDbPort || (await freePort());
  const [dynamoResult, keysResult] = await Promise.allSettled([
    startDynamoDbLocal({ dbPath, port: dynamoPort, jvmFlags: DYNAMODB_LOCAL_JVM_FLAGS }),
    loadOrCreateKeyPair(dataDir),
  ]);
  if (dynamoResult.status === "rejected") throw dynamoResult.reason;
  const dynamo: DynamoDbLocal = dynamoResult.value;
  let httpServer: Server | undefined;
  let dynamoClient: DynamoDBClient | undefined;
  let closing: Promise<void> | undefined;
  let schedules: NodeJS.Timeout[] = [];
  let poller: StreamPoller | undefined;

  const close = () =>
    (closing ??= (async () => {
      schedules.forEach(clearInterval);
      await poller?.stop();
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
    // Answers may name this server's own settings (an OUTSIDE_SEND_WINDOW refusal names SEND_WINDOW).
    process.env.LOCAL_SERVER = "true";
    // SMS go to the local outbox, kept with the data (GET /local/outbox lists it).
    process.env.SMS_TRANSPORT = "outbox";
    process.env.OUTBOX_FILE = join(dataDir, "outbox.jsonl");
    // Events go to a local bus, kept with the data (GET /local/eventbus lists it).
    process.env.EVENTBUS_FILE = join(dataDir, "eventbus.jsonl");
    // The key of the numbers' keyed hash (erased numbers' opt-outs), made on the first start and kept with the data.
    process.env.PRIVACY_KEY_FILE = join(dataDir, "privacy", "hmac.key");
    loadOrCreateKeyFile(process.env.PRIVACY_KEY_FILE);
    // Outcome metrics are CloudWatch's embedded format: JSON lines that would only clutter this console.
    process.env.POWERTOOLS_METRICS_DISABLED ??= "true";

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
      eventBusFile: join(dataDir, "eventbus.jsonl"),
      async tableReachable() {
        try {
          const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
          return described.Table?.TableStatus === "ACTIVE";
        } catch {
          return false;
        }
      },
      consoleAssets: () => consoleBuild,
      async mintDevToken(subject) {
        const now = Math.floor(Date.now() / 1000);
        const token = await signDevToken(keys, { sub: subject.sub, groups: subject.groups, now });
        return { token, expiresAt: new Date((now + DEFAULT_TTL_SECONDS) * 1000).toISOString() };
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
    // The stream-triggered functions (the SMS sender), fed from DynamoDB Local's stream as Lambda would.
    poller = startStreamPoller({
      dynamo: client,
      endpoint: dynamo.endpoint,
      tableName,
      consumers: functionTable.flatMap((fn) =>
        fn.trigger.kind === "stream"
          ? [
              {
                id: fn.id,
                filter: fn.trigger.filter,
                invoke: async (event: DynamoDBStreamEvent) =>
                  (await loadHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>(fn.id))(event, lambdaContextFor(fn.id)),
              },
            ]
          : [],
      ),
      logError,
    });
    schedules = startSchedules(
      {
        idleSweepMs: options.idleSweepIntervalMs ?? DEFAULT_IDLE_SWEEP_INTERVAL_MS,
        smsSweepMs: options.smsSweepIntervalMs ?? DEFAULT_SMS_SWEEP_INTERVAL_MS,
        erasureMs: options.erasureIntervalMs ?? DEFAULT_ERASURE_INTERVAL_MS,
      },
      logError,
    );
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
 * the optimising compiler), unless the user set JAVA_TOOL_OPTIONS.
 */
export const DYNAMODB_LOCAL_JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/**
 * Creates the table, or brings a table an earlier version made (under the same DATA_DIR) up to the
 * key design: the stream turned on, missing indexes added.
 */
async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const wanted = createTableInput(tableName);
  try {
    await client.send(new CreateTableCommand(wanted));
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceInUseException") throw error;
  }
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.StreamSpecification?.StreamEnabled) {
    await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: wanted.StreamSpecification }));
  }
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: wanted.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
      }),
    );
  }
}
