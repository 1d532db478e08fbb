import { tmpdir } from "node:os";
import { join } from "node:path";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAdapters } from "../../shared/platform/composition-root";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { initiateMessage, type InitiateMessageDeps, type InitiationResult } from "../../shared/use-cases/initiate-message";
import { receiveInboundSms, type ReceiveInboundDeps } from "../../shared/use-cases/receive-inbound-sms";
import { retryMessage, type RetryMessageDeps } from "../../shared/use-cases/retry-message";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../../shared/adapters/dynamo/table-design";
import { items } from "../../shared/adapters/dynamo/items";
import { everyProviderNumber } from "../../shared/core/model/consent";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { createProvider } from "../../shared/use-cases/create-provider";
import { OutboxTransport } from "../../shared/adapters/sms/outbox-transport";
import { invariantViolations } from "../support/table-invariants";
import { routes } from "../../shared/adapters/http/routes";
import type { ServiceError } from "../../shared/core/errors";
import { statusOf } from "../../shared/adapters/http/error-status";
import { createTestTable, type TestTable } from "../support/test-table";

/**
 * The use cases over the real DynamoDB adapters, with SDK middleware on the one document client:
 * one counts the DynamoDB calls each row makes, one injects what DynamoDB Local never raises
 * (TransactionConflict) and throttling.
 */
let table: TestTable;
let deps: InitiateMessageDeps & ReceiveInboundDeps & RetryMessageDeps;
let outbox: OutboxTransport;
const calls: string[] = [];
/** Errors to raise, in order, for the named command (consumed as they fire). */
const faults: { command: string; error: () => Error; step: "before-retry" | "inside-retry" }[] = [];
const FROM = "+14155550100";
/** Runs once just before the next TransactWriteItems goes out: another request landing in between. */
let beforeNextTransaction: (() => Promise<unknown>) | undefined;

beforeAll(async () => {
  table = await createTestTable("faults");
  const adapters = createAdapters({ tableName: table.tableName, dynamoDbEndpoint: table.endpoint, defaultCountry: "US" });
  outbox = new OutboxTransport(join(tmpdir(), `${table.tableName}-outbox.jsonl`));
  deps = { ...adapters, extension: defaultComposeExtension, helpText: "help", backoff: async () => undefined };
  const stack = adapters.documentClient.middlewareStack;
  const inject =
    (step: "before-retry" | "inside-retry") =>
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown) => {
      if (step === "before-retry" && context.commandName === "TransactWriteItemsCommand" && beforeNextTransaction) {
        const landing = beforeNextTransaction;
        beforeNextTransaction = undefined;
        await landing();
      }
      const index = faults.findIndex((fault) => fault.command === context.commandName && fault.step === step);
      if (index >= 0) throw faults.splice(index, 1)[0]!.error();
      return next(args);
    };
  stack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize", name: "countDynamoDbCalls" },
  );
  // Before the SDK's retry loop: the error reaches our code (TransactionConflict is not retried by the SDK).
  stack.add(inject("before-retry") as never, { step: "initialize", name: "injectBeforeRetry" });
  // Inside the retry loop: the SDK's own retry strategy sees it (throttling).
  stack.add(inject("inside-retry") as never, { step: "deserialize", name: "injectInsideRetry" });

  await createProvider(deps as never, { number: FROM, name: "Support" });
  for (const [id, number] of [
    ["c-1", "+14155550111"],
    ["c-2", "+14155550122"],
    ["c-3", "+14155550133"],
    ["c-4", "+14155550144"],
  ] as const) {
    await createConsumer({ ...deps, defaultCountry: "US" } as never, { id, name: id, phoneNumbers: [number] });
  }
});
afterAll(async () => table.drop());
beforeEach(() => {
  calls.length = 0;
  faults.length = 0;
});

const agent = (agentId: string) => ({ agentId });
const conflict = () =>
  new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    CancellationReasons: [{ Code: "TransactionConflict", Message: "Transaction is ongoing for the item" }],
  });
const throttling = () =>
  Object.assign(new Error("Rate of requests exceeds the allowed throughput."), {
    name: "ThrottlingException",
    $metadata: { httpStatusCode: 400 },
    $fault: "client",
  });

describe("DynamoDB calls per row (counted by SDK middleware)", () => {
  it("created, injected, replaced_virtual_agent, replaced_other_consumer, inbound join and open", async () => {
    const counts: Record<string, string[]> = {};
    const measure = async (row: string, run: () => Promise<unknown>) => {
      calls.length = 0;
      await run();
      counts[row] = [...calls];
    };
    await measure("created", () => initiateMessage(deps, { consumerId: "c-1", to: "+14155550111", message: "hi" }, agent("a")));
    await measure("injected", () => initiateMessage(deps, { consumerId: "c-1", to: "+14155550111", message: "hi again" }, agent("b")));
    await measure("inbound (joins)", () =>
      receiveInboundSms(deps, {
        originationNumber: "+14155550111",
        destinationNumber: FROM,
        messageBody: "ok",
        inboundMessageId: "count-1",
      }),
    );
    await measure("inbound (opens virtual agent)", () =>
      receiveInboundSms(deps, {
        originationNumber: "+14155550122",
        destinationNumber: FROM,
        messageBody: "hello?",
        inboundMessageId: "count-2",
      }),
    );
    await measure("replaced_virtual_agent", () =>
      initiateMessage(deps, { consumerId: "c-2", to: "+14155550122", message: "hi" }, agent("a")),
    );
    await measure("replaced_other_consumer", () =>
      initiateMessage(deps, { consumerId: "c-3", to: "+14155550122", message: "hi", confirmReassociation: true }, agent("a")),
    );
    await measure("dry run", () =>
      initiateMessage(deps, { consumerId: "c-3", to: "+14155550122", message: "hi", dryRun: true }, agent("a")),
    );
    const keyed = { ...agent("a"), idempotencyKey: "count-keyed-1" };
    await measure("created with an Idempotency-Key", () =>
      initiateMessage(deps, { consumerId: "c-1", to: "+14155550111", from: FROM, message: "keyed" }, keyed),
    );
    await measure("idempotent replay", () =>
      initiateMessage(deps, { consumerId: "c-1", to: "+14155550111", from: FROM, message: "keyed" }, keyed),
    );
    // Both numbers given in E.164: decided on nothing read, the transaction checks it all.
    const sendFrom = (consumerId: string, to: string) => initiateMessage(deps, { consumerId, to, from: FROM, message: "hi" }, agent("a"));
    await measure("created, from and to given", () => sendFrom("c-4", "+14155550144"));
    await measure("injected, from and to given", () => sendFrom("c-4", "+14155550144"));
    await receiveInboundSms(deps, {
      originationNumber: "+14155550155",
      destinationNumber: FROM,
      messageBody: "hi",
      inboundMessageId: "count-3",
    });
    await measure("replaced_virtual_agent, from and to given", () => sendFrom("c-4", "+14155550155"));
    console.log(
      `DynamoDB calls per row:\n${Object.entries(counts)
        .map(([row, names]) => `  ${row}: ${names.length} (${names.join(", ")})`)
        .join("\n")}`,
    );
    // Reads (consumer, providers, the number's state) + one transaction: the hand-over is the
    // pipeline's, off the request path, and the events ride in the transaction. Injected reads the
    // live group first (the answer shows it; the agent joins, with its event, only if new).
    expect(counts.created).toEqual(["GetItemCommand", "QueryCommand", "QueryCommand", "TransactWriteItemsCommand"]);
    expect(counts.injected).toEqual(["GetItemCommand", "QueryCommand", "QueryCommand", "QueryCommand", "TransactWriteItemsCommand"]);
    expect(counts["replaced_virtual_agent"]).toHaveLength(4);
    expect(counts["replaced_other_consumer"]).toHaveLength(4);
    expect(counts["inbound (joins)"]).toEqual(["QueryCommand", "TransactWriteItemsCommand"]);
    expect(counts["inbound (opens virtual agent)"]).toEqual(["QueryCommand", "TransactWriteItemsCommand"]);
    expect(counts["dry run"]).toEqual(["GetItemCommand", "QueryCommand", "QueryCommand"]);
    // With both numbers in E.164 nothing is read first (the first Query is the providers', the
    // container's cache's, 5 s by default, off in tests): the transaction assumes nothing is
    // stored, and when that is wrong its cancellation returns what is (the lock, the profile
    // pointer, the key's record), to decide again on. Joining reads the live group for the answer.
    const cancelled = "TransactWriteItemsCommand";
    expect(counts["created, from and to given"]).toEqual(["QueryCommand", "TransactWriteItemsCommand"]);
    // The container remembers the conversation its last send on the key left: the next one joins it at once.
    expect(counts["injected, from and to given"]).toEqual(["QueryCommand", "QueryCommand", "TransactWriteItemsCommand"]);
    expect(counts["replaced_virtual_agent, from and to given"]).toEqual(["QueryCommand", cancelled, "TransactWriteItemsCommand"]);
    // A keyed send finds its key unused in the same transaction, and a repeat finds the first
    // answer's record there, then reads only its message again.
    expect(counts["created with an Idempotency-Key"]).toEqual(["QueryCommand", cancelled, "QueryCommand", "TransactWriteItemsCommand"]);
    expect(counts["idempotent replay"]).toEqual(["QueryCommand", cancelled, "GetItemCommand"]);
    expect(await invariantViolations(table)).toEqual([]);
  });
});

describe("a decision made on a read that went stale", () => {
  it("a STOP landing between the send's read and its write: the transaction's re-check refuses the send", async () => {
    beforeNextTransaction = () =>
      receiveInboundSms(deps, {
        originationNumber: "+14155550111",
        destinationNumber: FROM,
        messageBody: "STOP",
        inboundMessageId: "stale-stop-1",
      });
    const sent = (await outbox.list()).filter((sms) => sms.body === "written before the STOP").length;
    await expect(
      initiateMessage(deps, { consumerId: "c-1", to: "+14155550111", message: "written before the STOP" }, agent("f")),
    ).rejects.toMatchObject({ code: "RECIPIENT_OPTED_OUT" });
    expect(beforeNextTransaction).toBeUndefined();
    expect((await outbox.list()).filter((sms) => sms.body === "written before the STOP").length).toBe(sent);
    expect((await table.scanAll()).some((i) => i.itemType === "message" && i.body === "written before the STOP")).toBe(false);
    // Lift it for the tests after this one.
    await receiveInboundSms(deps, {
      originationNumber: "+14155550111",
      destinationNumber: FROM,
      messageBody: "START",
      inboundMessageId: "stale-start-1",
    });
  });

  it("an opt-out of every number landing between an agent's retry's read and its claim: the claim's check refuses it", async () => {
    const sent = (await initiateMessage(
      deps,
      { consumerId: "c-3", to: "+14155550166", from: FROM, message: "retried after the opt-out" },
      agent("g"),
    )) as InitiationResult;
    // The hand-over failed (the pipeline does not run here): the agent may retry it.
    await table.documentClient.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.message(sent.message.interactionId, sent.message.createdAt, sent.message.id),
        UpdateExpression: "SET #status = :failed, #errorCode = :code",
        ExpressionAttributeNames: { "#status": "status", "#errorCode": "errorCode" },
        ExpressionAttributeValues: { ":failed": "failed", ":code": "THROTTLED" },
      }),
    );
    beforeNextTransaction = () =>
      table.documentClient.send(
        new PutCommand({
          TableName: table.tableName,
          Item: items.optOut("+14155550166", everyProviderNumber, "2026-07-15T18:00:00.000Z", "agent"),
        }),
      );
    await expect(
      retryMessage(deps, { interactionId: sent.message.interactionId, messageId: sent.message.id }, agent("g")),
    ).rejects.toMatchObject({ code: "RECIPIENT_OPTED_OUT" });
    expect(beforeNextTransaction).toBeUndefined();
    const stored = (await table.scanAll()).find((i) => i.itemType === "message" && i.id === sent.message.id);
    expect(stored).toMatchObject({ status: "failed", errorCode: "THROTTLED" });
    expect(stored?.attempts).toBeUndefined();
  });
});

describe("what DynamoDB Local never raises", () => {
  it("a TransactionConflict on the outcome's transaction: backs off, reads again, ends correct and queues the message once", async () => {
    faults.push(
      { command: "TransactWriteItemsCommand", error: conflict, step: "before-retry" },
      { command: "TransactWriteItemsCommand", error: conflict, step: "before-retry" },
    );
    const reply = await initiateMessage(deps, { consumerId: "c-1", to: "+14155550111", message: "after two conflicts" }, agent("c"));
    expect(reply).toMatchObject({ outcome: "injected", message: { status: "queued" } });
    expect(calls.filter((name) => name === "TransactWriteItemsCommand")).toHaveLength(3);
    expect(faults).toHaveLength(0);
    // Written once, queued for the pipeline (which hands it over once: test/sending).
    expect((await table.scanAll()).filter((i) => i.itemType === "message" && i.body === "after two conflicts")).toEqual([
      expect.objectContaining({ status: "queued" }),
    ]);
    expect(await invariantViolations(table)).toEqual([]);
  });

  it("a TransactionConflict on an inbound reply: retried, stored once", async () => {
    faults.push({ command: "TransactWriteItemsCommand", error: conflict, step: "before-retry" });
    const result = await receiveInboundSms(deps, {
      originationNumber: "+14155550133",
      destinationNumber: FROM,
      messageBody: "x",
      inboundMessageId: "conflicted-1",
    });
    expect(result.outcome).toBe("opened");
    expect(faults).toHaveLength(0);
    expect(calls.filter((name) => name === "TransactWriteItemsCommand")).toHaveLength(2);
    const messages = (await table.scanAll()).filter((i) => i.itemType === "message" && i.providerMessageId === "conflicted-1");
    expect(messages).toHaveLength(1);
    expect(await invariantViolations(table)).toEqual([]);
  });

  it("throttling on reads and on the transaction: the SDK retries and the request still ends correct", async () => {
    faults.push(
      { command: "QueryCommand", error: throttling, step: "inside-retry" },
      { command: "TransactWriteItemsCommand", error: throttling, step: "inside-retry" },
      { command: "TransactWriteItemsCommand", error: throttling, step: "inside-retry" },
    );
    const reply = await initiateMessage(deps, { consumerId: "c-1", to: "+14155550111", message: "through throttling" }, agent("d"));
    expect(routes.initiateMessage.status(reply as InitiationResult)).toBe(200);
    expect(faults).toHaveLength(0);
    expect(await invariantViolations(table)).toEqual([]);
  });

  it("conflicts that never end: a 409 CONVERSATION_BUSY, never a 5xx, nothing written", async () => {
    for (let i = 0; i < 10; i++) faults.push({ command: "TransactWriteItemsCommand", error: conflict, step: "before-retry" });
    const before = await table.scanAll();
    const refusal = await initiateMessage(deps, { consumerId: "c-1", to: "+14155550111", message: "never lands" }, agent("e")).catch(
      (error: ServiceError) => error,
    );
    expect(refusal).toMatchObject({ code: "CONVERSATION_BUSY" });
    expect(statusOf(refusal as ServiceError)).toBe(409);
    expect(await table.scanAll()).toEqual(before);
  });
});
