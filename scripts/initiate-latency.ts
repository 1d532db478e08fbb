/**
 * `npm run bench:initiate [-- <checkout of an earlier commit>]`: the latency of initiate_message
 * in process against DynamoDB Local (in-memory), the handler as deployed (middy, validation,
 * adapters). With a path, the same handler of that checkout runs in the same process and table,
 * interleaved with this one, so "before" and "after" share the machine's state. Prints p50/p95.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { createTableInput } from "../shared/adapters/dynamo/table-definition";
import { freePort, startDynamoDbLocal } from "../local/dynamodb-local";
import { apiEvent, lambdaContext } from "../test/support/handler-harness";
import { routes } from "../shared/adapters/http/routes";

const rounds = 200;
const earlier = process.argv[2] ? resolve(process.argv[2]) : undefined;
const dataDir = mkdtempSync(join(tmpdir(), "initiate-latency-"));
const dynamo = await startDynamoDbLocal({ port: await freePort() });
const tableName = `latency-${randomUUID().slice(0, 8)}`;
const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "local", credentials: { accessKeyId: "l", secretAccessKey: "l" } });
await client.send(new CreateTableCommand(createTableInput(tableName)));
Object.assign(process.env, {
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: dynamo.endpoint,
  SMS_TRANSPORT: "outbox",
  OUTBOX_FILE: join(dataDir, "outbox.jsonl"),
  POWERTOOLS_LOG_LEVEL: "WARN",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
});

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
const load = async (root: string, id: string) =>
  ((await import(pathToFileURL(join(root, "functions", id, "handler.ts")).href)) as { handler: Handler }).handler;
const here = resolve(import.meta.dirname, "..");
const variants: { name: string; initiate: Handler; times: number[] }[] = [
  { name: "this checkout", initiate: await load(here, "initiate-message"), times: [] },
];
if (earlier) variants.push({ name: earlier, initiate: await load(earlier, "initiate-message"), times: [] });

const admin = { sub: "admin", groups: ["admins"] };
const call = (handler: Handler, key: Parameters<typeof apiEvent>[0], options: Parameters<typeof apiEvent>[1]) =>
  handler(apiEvent(key, options), lambdaContext(routes[key].id));
const createProvider = await load(here, "create-provider");
const createConsumer = await load(here, "create-consumer");
await call(createProvider, "createProvider", { as: admin, body: { number: "+14155550100", name: "Support" } });
for (let i = 0; i < rounds * variants.length; i++) {
  await call(createConsumer, "createConsumer", {
    as: admin,
    body: { id: `c-${i}`, name: `C ${i}`, phoneNumbers: [`+1415556${String(i).padStart(4, "0")}`] },
  });
}

// Each send starts a new conversation (the `created` row), variants interleaved.
let consumer = 0;
for (let round = 0; round < rounds; round++) {
  for (const variant of variants) {
    const i = consumer++;
    const started = performance.now();
    const result = await call(variant.initiate, "initiateMessage", {
      body: { consumerId: `c-${i}`, to: `+1415556${String(i).padStart(4, "0")}`, message: "Your parcel ships today" },
    });
    variant.times.push(performance.now() - started);
    if (result.statusCode !== 201) throw new Error(`${variant.name}: ${result.statusCode} ${result.body}`);
  }
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
console.log(`initiate_message, ${rounds} sends each (created), in process against DynamoDB Local\n`);
for (const variant of variants) {
  console.log(
    `${variant.name.padEnd(40)} p50 ${percentile(variant.times, 0.5).toFixed(1)} ms   p95 ${percentile(variant.times, 0.95).toFixed(1)} ms`,
  );
}
client.destroy();
await dynamo.stop();
process.exit(0);
