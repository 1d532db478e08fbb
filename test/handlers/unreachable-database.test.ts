import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaContextFor, routeEvent } from "../../local/invocation";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { OutboxTransport } from "../../shared/adapters/sms/outbox-transport";
import { createAdapters } from "../../shared/platform/composition-root";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { createProvider } from "../../shared/use-cases/create-provider";
import { initiateMessage } from "../../shared/use-cases/initiate-message";
import { createTestTable, type TestTable } from "../support/test-table";

/**
 * DynamoDB unreachable in the middle of a send: the transaction may have committed before the
 * connection dropped, so the answer is 503 OUTCOME_UNKNOWN (retry with the same Idempotency-Key),
 * never a 500, and the retry answers the first outcome without sending twice.
 */
let table: TestTable;
let outbox: OutboxTransport;
let handler: ReturnType<typeof httpHandler>;
/** The next TransactWriteItems goes through, then its answer is lost as a reset connection. */
let loseNextTransactionAnswer = false;

beforeAll(async () => {
  table = await createTestTable("unreachable");
  const adapters = createAdapters({ tableName: table.tableName, dynamoDbEndpoint: table.endpoint, defaultCountry: "US" });
  outbox = new OutboxTransport(join(tmpdir(), `${table.tableName}-outbox.jsonl`));
  adapters.documentClient.middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const result = await next(args);
      if (context.commandName === "TransactWriteItemsCommand" && loseNextTransactionAnswer) {
        loseNextTransactionAnswer = false;
        throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      }
      return result;
    }) as never,
    { step: "initialize", name: "loseTransactionAnswer" },
  );
  const deps = { ...adapters, transport: outbox, extension: defaultComposeExtension };
  await createProvider(deps, { number: "+14155550100", name: "Support" });
  await createConsumer(deps, { id: "c-1", name: "Ann", phoneNumbers: ["+14155550111"] });
  handler = httpHandler(routes.initiateMessage, (request) =>
    initiateMessage(deps, request.body, {
      agentId: request.caller.sub,
      ...(request.headers["idempotency-key"] ? { idempotencyKey: request.headers["idempotency-key"] } : {}),
    }),
  );
});
afterAll(async () => table.drop());

function send(idempotencyKey: string) {
  const event = routeEvent(routes.initiateMessage, {
    headers: { "idempotency-key": idempotencyKey },
    body: JSON.stringify({ consumerId: "c-1", to: "+14155550111", message: "Your parcel ships today" }),
    caller: { sub: "agent-ann", groups: ["agents"] },
  });
  return handler(event, lambdaContextFor("initiate-message"));
}

describe("the database lost mid-request", () => {
  it("answers 503 OUTCOME_UNKNOWN, and the retry with the same key answers the committed outcome, the message stored once", async () => {
    loseNextTransactionAnswer = true;
    const lost = await send("key-1");
    expect(lost.statusCode).toBe(503);
    expect(JSON.parse(String(lost.body))).toMatchObject({ error: { code: "OUTCOME_UNKNOWN" } });
    // The transaction did commit: the retry finds it and answers it.
    const retried = await send("key-1");
    expect(retried.statusCode).toBe(201);
    expect(JSON.parse(String(retried.body))).toMatchObject({ outcome: "created", interaction: { to: "+14155550111" } });
    const messages = (await table.scanAll()).filter((item) => item.itemType === "message");
    expect(messages).toHaveLength(1);
  });
});
