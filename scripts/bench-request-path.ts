/**
 * Section 1 of `npm run bench`: the request path. The real handlers (functions/<id>/handler.ts),
 * imported in this process as Lambda would load them, called with API Gateway HTTP API v2 and SNS
 * events built from the fixtures, against a fresh table in DynamoDB Local. Per operation: the
 * DynamoDB calls (SDK middleware, see bench-dynamodb-meter.ts), handler time p50/p95, the p50 of
 * the time inside DynamoDB, their ratio, request units, and the bytes logged.
 *
 * After each measured invocation (untimed) the table's change stream is handed to the stream-fed
 * functions (sms-sender, event-publisher) as the event source mapping would, through the local
 * server's poller, and what they do is metered too: the pipeline each operation sets off, which the
 * cost section needs.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyStructuredResultV2, Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { createStreamPoller } from "../local/stream-poller";
import { createTableInput } from "../shared/adapters/dynamo/table-definition";
import { functionTable } from "../shared/platform/function-table";
import { DynamoDbMeter, timeInside, type DynamoCall } from "./bench-dynamodb-meter";
import { apiEvent, inboundSmsEvent, lambdaContext, projectRoot, sendWindowAllDay, type ApiRequest } from "./bench-events";
import { median, percentile } from "./bench-percentiles";
import { figure, printTable } from "./bench-table";

export const operations = [
  { id: "initiate-created", functionId: "initiate-message", label: "initiate, nothing active (from and to given)" },
  { id: "initiate-joined", functionId: "initiate-message", label: "initiate, joining an active conversation" },
  { id: "initiate-replaced-virtual-agent", functionId: "initiate-message", label: "initiate, replacing a virtual agent" },
  { id: "idempotent-replay", functionId: "initiate-message", label: "idempotent replay (same Idempotency-Key)" },
  { id: "dry-run", functionId: "initiate-message", label: "dry run" },
  { id: "compose-options", functionId: "compose-options", label: "compose options" },
  { id: "validate-e164", functionId: "validate-phone-number", label: "validate an E.164 number, no consumer" },
  { id: "inbound-reply", functionId: "inbound-sms", label: "inbound reply (joins the agent's conversation)" },
] as const;
export type OperationId = (typeof operations)[number]["id"];

/** One invocation of a stream-fed function set off by an operation. */
interface PipelineInvocation {
  functionId: string;
  records: number;
  ms: number;
  calls: DynamoCall[];
  logBytes: number;
}

interface Sample {
  handlerMs: number;
  dynamoMs: number;
  wireMs: number;
  calls: DynamoCall[];
  logBytes: number;
  pipeline: PipelineInvocation[];
}

/** What the stream-fed functions did after one invocation of the operation, on average. */
export interface PipelineFigures {
  /** Lambda invocations per function. */
  invocations: Record<string, number>;
  /** Records handed to each function (event-publisher: events put on the bus). */
  records: Record<string, number>;
  /** Summed handler time of those invocations (what Lambda bills). */
  handlerMs: number;
  calls: number;
  readUnits: number;
  writeUnits: number;
  failedCalls: number;
  logBytes: number;
}

export interface OperationFigures {
  id: OperationId;
  label: string;
  functionId: string;
  iterations: number;
  calls: { median: number; min: number; max: number };
  /** The most frequent sequence of calls (a failed one marked with "!"), and how often it occurred. */
  sequence: { calls: string; share: number };
  handlerMs: { p50: number; p95: number };
  /** Inside DynamoDB calls, as the handler waits for them (SDK middleware around the whole call). */
  dynamoMs: { p50: number };
  /** Their HTTP requests alone (SDK middleware around the round trip): what a proxy on the wire would see. */
  wireMs: { p50: number };
  /** handler p50 ÷ DynamoDB p50 (and ÷ wire p50); null without DynamoDB calls. */
  handlerToDynamo: number | null;
  handlerToWire: number | null;
  /** Median per invocation, as DynamoDB Local reports them (ReturnConsumedCapacity TOTAL: table and indexes). */
  readUnits: number;
  writeUnits: number;
  /** Failed calls per invocation (billed by DynamoDB, not reported in ConsumedCapacity, so not in the units). */
  failedCalls: number;
  /**
   * Write units of the cancelled transactions per invocation (mean), estimated as if written: 2 per
   * item (a transactional write of an item under 1 KB). An estimate from above: DynamoDB bills a
   * failed conditional write, and reports nothing for it.
   */
  cancelledWriteUnits: number;
  logBytes: number;
  pipeline: PipelineFigures;
}

export interface RequestPathResult {
  rounds: number;
  warmupRounds: number;
  operations: OperationFigures[];
}

type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

const agent = { sub: "agent-ann", groups: ["agents"] };
const admin = { sub: "admin-ada", groups: ["admins"] };
const provider = "+14155550100";

export async function benchRequestPath(options: { endpoint: string; workDir: string; rounds: number; warmupRounds: number }) {
  const tableName = `bench-${randomUUID().slice(0, 8)}`;
  const dynamo = new DynamoDBClient({
    endpoint: options.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
  // As the stack configures every function (infra/service-function.ts), with the local transport and
  // bus; put back as it was afterwards (the local server's section inherits this environment).
  const environment = { ...process.env };
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: options.endpoint,
    AWS_REGION: "us-east-1",
    DEFAULT_COUNTRY: "US",
    POWERTOOLS_SERVICE_NAME: "agent-initiated-sms",
    SMS_TRANSPORT: "outbox",
    OUTBOX_FILE: join(options.workDir, "outbox.jsonl"),
    EVENTBUS_FILE: join(options.workDir, "eventbus.jsonl"),
    // The numbers' keyed hash (the send checks an erasure's suppression): a local key file, as npm start uses.
    PRIVACY_KEY_FILE: join(options.workDir, "privacy.key"),
    ...sendWindowAllDay,
  });

  const meter = new DynamoDbMeter();
  /** Imports a handler; one that reads the table must have had its client metered (else its figures would be zeros). */
  const load = async <T = AnyHandler>(functionId: string) => {
    const before = meter.clientsMetered;
    const module = (await import(join(projectRoot, "functions", functionId, "handler.ts"))) as { handler: T };
    const readsTable = operations.some((operation) => operation.functionId === functionId);
    if (readsTable && meter.clientsMetered === before)
      throw new Error(`${functionId}: no DynamoDB client created through createDocumentClient`);
    return module.handler;
  };
  const handlers = {
    initiate: await load("initiate-message"),
    compose: await load("compose-options"),
    validate: await load("validate-phone-number"),
    inbound: await load("inbound-sms"),
    createProvider: await load("create-provider"),
    createConsumer: await load("create-consumer"),
  };

  let pipeline: PipelineInvocation[] = [];
  const stream = createStreamPoller({
    dynamo,
    endpoint: options.endpoint,
    tableName,
    startAt: "TRIM_HORIZON",
    consumers: await streamConsumers(),
  });
  async function streamConsumers() {
    const consumers = [];
    for (const fn of functionTable) {
      if (fn.trigger.kind !== "stream") continue;
      const handler = await load<(event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>>(fn.id);
      consumers.push({
        id: fn.id,
        filter: fn.trigger.filter,
        invoke: async (event: DynamoDBStreamEvent) => {
          const measured = await meter.measure(() => handler(event, lambdaContext(fn.id)));
          pipeline.push({ functionId: fn.id, records: event.Records.length, ...measured });
          return measured.result;
        },
      });
    }
    return consumers;
  }

  const answerOf = (result: unknown) => {
    const { statusCode, body } = result as APIGatewayProxyStructuredResultV2;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
    return { status: statusCode ?? 200, body: (body ? JSON.parse(body) : {}) as Record<string, any> };
  };
  const expect = (what: string, ok: boolean, answer: unknown) => {
    if (!ok) throw new Error(`bench request path: ${what} answered ${JSON.stringify(answer).slice(0, 500)}`);
  };
  const samples = new Map<OperationId, Sample[]>(operations.map((operation) => [operation.id, []]));
  let measuring = false;

  /**
   * One invocation, timed from the call to the settled promise (the event is built before), then,
   * untimed, the stream handed to the pipeline.
   */
  async function step(id: OperationId | "setup", functionId: string, handler: AnyHandler, event: unknown): Promise<unknown> {
    const context = lambdaContext(functionId);
    const measured = await meter.measure(() => handler(event, context));
    pipeline = [];
    await stream.drain();
    if (measuring && id !== "setup") {
      samples.get(id)!.push({
        handlerMs: measured.ms,
        dynamoMs: timeInside(measured.calls, "sdk"),
        wireMs: timeInside(measured.calls, "wire"),
        calls: measured.calls,
        logBytes: measured.logBytes,
        pipeline,
      });
    }
    return measured.result;
  }
  const call = async (id: OperationId | "setup", functionId: string, handler: AnyHandler, request: ApiRequest) =>
    answerOf(await step(id, functionId, handler, apiEvent(functionId, request)));
  const initiate = (id: OperationId, body: Record<string, unknown>, key?: string) =>
    call(id, "initiate-message", handlers.initiate, { caller: agent, body, ...(key ? { headers: { "idempotency-key": key } } : {}) });
  const inbound = async (id: OperationId | "setup", from: string, body: string, inboundMessageId: string) => {
    const event = inboundSmsEvent({ originationNumber: from, destinationNumber: provider, messageBody: body, inboundMessageId });
    return (await step(id, "inbound-sms", handlers.inbound, event)) as { outcome?: string }[];
  };

  // Seed: one send-from number, one consumer (with its number) per round.
  const created = await call("setup", "create-provider", handlers.createProvider, {
    caller: admin,
    body: { number: provider, name: "Support line" },
  });
  expect("create-provider", created.status === 201, created);
  const totalRounds = options.warmupRounds + options.rounds;
  const customer = (round: number) => `+1628555${String(round).padStart(4, "0")}`;
  const stranger = (round: number) => `+1650555${String(round).padStart(4, "0")}`;
  for (let round = 0; round < totalRounds; round++) {
    const answer = await call("setup", "create-consumer", handlers.createConsumer, {
      caller: admin,
      body: { id: `bench-c${round}`, name: `Customer ${round}`, location: "US", phoneNumbers: [customer(round)] },
    });
    expect("create-consumer", answer.status === 201, answer);
  }

  const runId = Date.now().toString(36);
  for (let round = 0; round < totalRounds; round++) {
    measuring = round >= options.warmupRounds;
    const consumerId = `bench-c${round}`;
    const to = customer(round);
    const key = `bench-${runId}-${round}`;

    const send = { consumerId, from: provider, to, message: "Hi, your parcel ships today." };
    const first = await initiate("initiate-created", send, `${key}-first`);
    expect("initiate (nothing active)", first.status === 201 && first.body.outcome === "created", first);

    const replay = await initiate("idempotent-replay", send, `${key}-first`);
    expect("idempotent replay", replay.body.message?.id === first.body.message.id, replay);

    const dryRun = await initiate("dry-run", { ...send, message: "Friday works.", dryRun: true });
    expect("dry run", dryRun.status === 200 && dryRun.body.dryRun === true, dryRun);

    const joined = await initiate("initiate-joined", { ...send, message: "Friday works." }, `${key}-join`);
    expect("initiate (joining)", joined.body.outcome === "injected", joined);

    const compose = await call("compose-options", "compose-options", handlers.compose, { caller: agent, query: { consumerId } });
    expect("compose options", compose.status === 200 && compose.body.available === true, compose);

    const valid = await call("validate-e164", "validate-phone-number", handlers.validate, { caller: agent, body: { phoneNumber: to } });
    expect("validate", valid.status === 200 && valid.body.valid === true, valid);

    const reply = await inbound("inbound-reply", to, "Thanks! Can it come on Friday?", `bench-in-${runId}-${round}`);
    expect("inbound reply", reply[0]?.outcome === "joined", reply);

    // A stranger writes first: the virtual agent's conversation, which the agent's send then replaces.
    const opened = await inbound("setup", stranger(round), "Hello?", `bench-in-${runId}-${round}-stranger`);
    expect("inbound (stranger)", opened[0]?.outcome === "opened", opened);
    const replaced = await initiate(
      "initiate-replaced-virtual-agent",
      { consumerId, from: provider, to: stranger(round), message: "Hi, this is Ann from support." },
      `${key}-replace`,
    );
    expect("initiate (replacing the virtual agent)", replaced.body.outcome === "replaced_virtual_agent", replaced);
  }

  await stream.stop();
  meter.close();
  dynamo.destroy();
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
  return {
    rounds: options.rounds,
    warmupRounds: options.warmupRounds,
    operations: operations.map((operation) => figures(operation, samples.get(operation.id)!)),
  } satisfies RequestPathResult;
}

function figures(operation: (typeof operations)[number], list: Sample[]): OperationFigures {
  const counts = list.map((sample) => sample.calls.length);
  const sequences = new Map<string, number>();
  for (const sample of list) {
    // In the order the handler started them (calls made in parallel finish in any order).
    const started = [...sample.calls].sort((a, b) => a.startedAt - b.startedAt);
    const sequence = started.map((call) => `${shortName(call.command)}${call.error ? "!" : ""}`).join(" ") || "none";
    sequences.set(sequence, (sequences.get(sequence) ?? 0) + 1);
  }
  const [sequence, times] = [...sequences.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const handlerP50 = median(list.map((sample) => sample.handlerMs));
  const dynamoP50 = median(list.map((sample) => sample.dynamoMs));
  const wireP50 = median(list.map((sample) => sample.wireMs));
  const sum = (calls: DynamoCall[], pick: (call: DynamoCall) => number) => calls.reduce((total, call) => total + pick(call), 0);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const pipelineCalls = list.map((sample) => sample.pipeline.flatMap((invocation) => invocation.calls));
  const perFunction = (pick: (invocation: PipelineInvocation) => number) => {
    const totals: Record<string, number> = {};
    for (const sample of list)
      for (const invocation of sample.pipeline) totals[invocation.functionId] = (totals[invocation.functionId] ?? 0) + pick(invocation);
    return Object.fromEntries(Object.entries(totals).map(([id, total]) => [id, total / list.length]));
  };
  return {
    id: operation.id,
    label: operation.label,
    functionId: operation.functionId,
    iterations: list.length,
    calls: { median: median(counts), min: Math.min(...counts), max: Math.max(...counts) },
    sequence: { calls: sequence, share: times / list.length },
    handlerMs: {
      p50: handlerP50,
      p95: percentile(
        list.map((sample) => sample.handlerMs),
        95,
      ),
    },
    dynamoMs: { p50: dynamoP50 },
    wireMs: { p50: wireP50 },
    handlerToDynamo: median(counts) > 0 && dynamoP50 > 0 ? handlerP50 / dynamoP50 : null,
    handlerToWire: median(counts) > 0 && wireP50 > 0 ? handlerP50 / wireP50 : null,
    readUnits: median(list.map((sample) => sum(sample.calls, (call) => call.readUnits))),
    writeUnits: median(list.map((sample) => sum(sample.calls, (call) => call.writeUnits))),
    failedCalls: mean(list.map((sample) => sample.calls.filter((call) => call.error).length)),
    cancelledWriteUnits: mean(list.map((sample) => sum(sample.calls, (call) => 2 * (call.cancelledItems ?? 0)))),
    logBytes: median(list.map((sample) => sample.logBytes)),
    pipeline: {
      invocations: perFunction(() => 1),
      records: perFunction((invocation) => invocation.records),
      handlerMs: mean(list.map((sample) => sample.pipeline.reduce((total, invocation) => total + invocation.ms, 0))),
      calls: mean(pipelineCalls.map((calls) => calls.length)),
      readUnits: mean(pipelineCalls.map((calls) => sum(calls, (call) => call.readUnits))),
      writeUnits: mean(pipelineCalls.map((calls) => sum(calls, (call) => call.writeUnits))),
      failedCalls: mean(pipelineCalls.map((calls) => calls.filter((call) => call.error).length)),
      logBytes: mean(list.map((sample) => sample.pipeline.reduce((total, invocation) => total + invocation.logBytes, 0))),
    },
  };
}

/** GetItem → Get, TransactWriteItems → TransactWrite, as the issue writes them. */
function shortName(command: string): string {
  return command.replace(/Item$|Items$/, "");
}

export function printRequestPath(result: RequestPathResult): void {
  printTable(
    `1. Request path: handlers in process against DynamoDB Local, ${result.rounds} invocations each (after ${result.warmupRounds} warm-up rounds)`,
    ["operation", "calls", "handler p50", "p95", "DynamoDB p50", "÷", "wire p50", "÷", "RRU", "WRU", "calls (most frequent sequence)"],
    result.operations.map((row) => [
      row.label,
      row.calls.min === row.calls.max ? String(row.calls.median) : `${row.calls.min}–${row.calls.max}`,
      figure(row.handlerMs.p50),
      figure(row.handlerMs.p95),
      row.calls.median > 0 ? figure(row.dynamoMs.p50) : "–",
      row.handlerToDynamo === null ? "–" : `${row.handlerToDynamo.toFixed(2)}×`,
      row.calls.median > 0 ? figure(row.wireMs.p50) : "–",
      row.handlerToWire === null ? "–" : `${row.handlerToWire.toFixed(2)}×`,
      figure(row.readUnits),
      figure(row.writeUnits),
      `${row.sequence.calls}${row.sequence.share < 1 ? ` (${Math.round(row.sequence.share * 100)}%)` : ""}`,
    ]),
  );
  console.log(
    [
      "",
      "   times in ms. DynamoDB p50: time inside the calls as the handler waits for them (SDK middleware around each call: marshalling,",
      "   signing, retries, round trip); wire p50: their HTTP requests alone; ÷: handler p50 divided by the figure to its left.",
      "   RRU/WRU: request units per invocation (median), ReturnConsumedCapacity TOTAL (table + indexes) as DynamoDB Local computes them",
      '   (a read that finds nothing counted as DynamoDB bills it, 0.5). "!" marks a failed call, billed by DynamoDB but not in the units.',
      ...result.operations
        .filter((row) => row.cancelledWriteUnits > 0)
        .map(
          (row) => `   ${row.label}: a cancelled transaction, ~${figure(row.cancelledWriteUnits)} WRU if billed as written (2 per item).`,
        ),
    ].join("\n"),
  );
  const pipelineRows = result.operations.filter((row) => Object.keys(row.pipeline.invocations).length > 0);
  if (pipelineRows.length > 0) {
    printTable(
      "   what the change stream then sets off (per invocation of the operation, mean)",
      ["operation", "invocations", "records", "handler ms", "calls", "RRU", "WRU"],
      pipelineRows.map((row) => [
        row.label,
        Object.entries(row.pipeline.invocations)
          .map(([id, n]) => `${id} ${n.toFixed(1)}`)
          .join(", "),
        Object.entries(row.pipeline.records)
          .map(([id, n]) => `${id} ${n.toFixed(1)}`)
          .join(", "),
        figure(row.pipeline.handlerMs),
        figure(row.pipeline.calls),
        figure(row.pipeline.readUnits),
        figure(row.pipeline.writeUnits),
      ]),
    );
  }
}
