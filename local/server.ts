/**
 * `npm start`: the API on this machine. DynamoDB Local (data under DATA_DIR), the JWT check and the
 * same handlers, events and responses as behind API Gateway. Environment: PORT (3000), HOST
 * (127.0.0.1), DYNAMODB_PORT (a free one), DATA_DIR (.data), SEND_WINDOW (08:00-21:00), DEFAULT_COUNTRY,
 * COMPOSE_EXTENSION_MODULE.
 */
import { relative, resolve } from "node:path";
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, startLocalServer, type LocalServer } from "./local-server";
import { defaultSendWindowText, formatSendWindow } from "../shared/core/rules/send-window";
import { readConfig } from "../shared/platform/config";

function portFromEnv(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`${name} must be a number from 0 to 65535, got "${value}"`);
    process.exit(2);
  }
  return port;
}

// The SDK's notice about future Node versions is noise on every start; engines already says >=20.19.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** Passed through; a relative path (`./my-extension.ts`) is made absolute against the working directory. */
function composeExtensionFromEnv(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.startsWith("./") || value.startsWith("../") ? resolve(value) : value;
}

const port = portFromEnv("PORT", process.env.PORT, DEFAULT_PORT);
// 0: a free port each start; fix it (DYNAMODB_PORT=8000) when something outside, like sam local invoke, must find it.
const dynamoDbPort = portFromEnv("DYNAMODB_PORT", process.env.DYNAMODB_PORT, 0);
const host = process.env.HOST || DEFAULT_HOST;
const sendWindow = sendWindowFromEnv();

/** SEND_WINDOW as the functions read it (with the rest of their settings): one they would refuse stops the start here. */
function sendWindowFromEnv(): string {
  try {
    return formatSendWindow(readConfig().sendWindow);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}
const dataDir = resolve(process.env.DATA_DIR || DEFAULT_DATA_DIR);

let server: LocalServer | undefined;
let stopRequested = false;
let exiting = false;

/** Longest a stop may take before DynamoDB Local is killed outright. */
const STOP_TIMEOUT_MS = 10_000;

function stop(): void {
  // Ctrl-C reaches the whole process group and tsx relays the signal too, so one stop request often
  // arrives twice: later signals are ignored; the timeout below bounds the wait instead.
  if (stopRequested) return;
  stopRequested = true;
  if (server) void shutDown(0);
  // Otherwise startup is still running; it shuts down as soon as DynamoDB Local is up.
}

async function shutDown(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  setTimeout(() => {
    console.error(`not stopped after ${STOP_TIMEOUT_MS} ms: killing DynamoDB Local`);
    server?.killNow();
    process.exit(1);
  }, STOP_TIMEOUT_MS).unref();
  try {
    await server?.close();
    console.log("agent-initiated-sms local API stopped");
  } catch (error) {
    console.error(`error while stopping: ${String(error)}`);
    server?.killNow();
    code = code || 1;
  }
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
process.on("exit", () => server?.killNow());
process.on("uncaughtException", (error) => {
  console.error(error);
  server?.killNow();
  process.exit(1);
});
// On Lambda a stray rejection fails that one invocation; here it is reported and the server stays up.
process.on("unhandledRejection", (reason) => {
  console.error("unhandled promise rejection:", reason);
});

try {
  server = await startLocalServer({
    port,
    dynamoDbPort,
    host,
    dataDir,
    defaultCountry: process.env.DEFAULT_COUNTRY || undefined,
    composeExtensionModule: composeExtensionFromEnv(process.env.COMPOSE_EXTENSION_MODULE),
    ...(process.env.IDLE_SWEEP_INTERVAL_MS ? { idleSweepIntervalMs: Number(process.env.IDLE_SWEEP_INTERVAL_MS) } : {}),
    ...(process.env.SMS_SWEEP_INTERVAL_MS ? { smsSweepIntervalMs: Number(process.env.SMS_SWEEP_INTERVAL_MS) } : {}),
    ...(process.env.ERASURE_INTERVAL_MS ? { erasureIntervalMs: Number(process.env.ERASURE_INTERVAL_MS) } : {}),
  });
} catch (error) {
  console.error(`could not start the local API: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

if (stopRequested) {
  await shutDown(0);
} else {
  const startedMs = Math.round(performance.now());
  const relativeDataDir = relative(process.cwd(), dataDir);
  const dataDirShown = relativeDataDir === "" ? "." : relativeDataDir.startsWith("..") ? dataDir : relativeDataDir;
  const dataDirEnv = resolve(DEFAULT_DATA_DIR) === dataDir ? "" : `DATA_DIR=${dataDirShown} `;
  console.log(`agent-initiated-sms local API listening on ${server.url} (ready in ${startedMs} ms after process start)`);
  console.log(`  desk console: ${server.url}/   (sign in with any name, as agent or admin)`);
  console.log(`  data: ${dataDir} (DynamoDB Local at ${server.dynamoDbEndpoint}, table ${server.tableName})`);
  console.log(`  token: ${dataDirEnv}npm run dev-token -- --sub ann --groups agents   (or --groups admins, --groups agents,admins)`);
  console.log(`  call:  curl -H "Authorization: Bearer $TOKEN" ${server.url}/api/now/providers`);
  console.log(`  docs:  ${server.url}/openapi.json   health: ${server.url}/health   stop: Ctrl-C`);
  console.log(
    process.env.SEND_WINDOW
      ? `  send window: ${sendWindow} in each customer's time (SEND_WINDOW; the default is ${defaultSendWindowText})`
      : `  send window: ${sendWindow} in each customer's time; to send at any hour: SEND_WINDOW=00:00-24:00 npm start`,
  );
}
