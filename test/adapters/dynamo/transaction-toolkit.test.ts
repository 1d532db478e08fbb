import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchGetAll } from "../../../shared/adapters/dynamo/batch-get";
import { exists, notExists, storedAttributesAre, transact, versionIs, type Named } from "../../../shared/adapters/dynamo/transaction";
import { createTestTable, type TestTable } from "../../support/test-table";

/** The transaction toolkit against DynamoDB Local, with SDK middleware for what DynamoDB Local never does. */
let table: TestTable;
const key = (name: string) => ({ pk: `TOOLKIT#${name}`, sk: "ITEM" });
const put = (item: Record<string, unknown>) => table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: item }));
const stored = async (name: string) =>
  (await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: key(name), ConsistentRead: true }))).Item;

beforeAll(async () => {
  table = await createTestTable("toolkit");
});
afterAll(async () => table.drop());

describe("transact: the one runner of named transaction items", () => {
  it("commits: answers nothing, and every item is written", async () => {
    const cancelled = await transact(table.documentClient, [
      ["fresh", { Put: { TableName: table.tableName, Item: { ...key("a"), version: 1 }, ...notExists } }],
      [undefined, { Put: { TableName: table.tableName, Item: { ...key("b"), note: "unconditional" } } }],
    ]);
    expect(cancelled).toBeUndefined();
    expect(await stored("a")).toMatchObject({ version: 1 });
    expect(await stored("b")).toMatchObject({ note: "unconditional" });
  });

  it("cancelled: names each failed assumption in item order with the item it found, unmarshalled; writes nothing", async () => {
    await put({ ...key("held"), version: 3, holder: "p-1", tags: new Set(["x", "y"]), nested: { at: "2026-01-01" } });
    await put({ ...key("other"), version: 7 });
    const named: Named<"version" | "absent" | "present" | "attributes">[] = [
      // No ReturnValuesOnConditionCheckFailure asked for: the runner asks for the stored item itself.
      ["version", { Put: { TableName: table.tableName, Item: { ...key("held"), version: 4 }, ...versionIs(2) } }],
      ["absent", { Put: { TableName: table.tableName, Item: { ...key("other"), version: 1 }, ...notExists } }],
      ["present", { ConditionCheck: { TableName: table.tableName, Key: key("nothing-here"), ...exists } }],
      ["attributes", { ConditionCheck: { TableName: table.tableName, Key: key("other"), ...storedAttributesAre({ version: 7 }) } }],
      [undefined, { Put: { TableName: table.tableName, Item: { ...key("c") } } }],
    ];
    const cancelled = await transact(table.documentClient, named);
    expect(cancelled?.failures).toEqual([
      {
        assumption: "version",
        found: { ...key("held"), version: 3, holder: "p-1", tags: new Set(["x", "y"]), nested: { at: "2026-01-01" } },
      },
      { assumption: "absent", found: { ...key("other"), version: 7 } },
      { assumption: "present", found: undefined },
    ]);
    expect(cancelled?.failed("version")).toBe(true);
    expect(cancelled?.failed("attributes")).toBe(false);
    expect(cancelled?.found("absent")).toEqual({ ...key("other"), version: 7 });
    expect(cancelled?.contended).toBe(false);
    expect(cancelled?.error).toBeInstanceOf(TransactionCanceledException);
    expect(await stored("c")).toBeUndefined();
    expect(await stored("held")).toMatchObject({ version: 3 });
  });

  it("an unnamed item's failed condition is no named failure: the caller sees the cancellation and nothing it decides on", async () => {
    await put({ ...key("unnamed") });
    const cancelled = await transact(table.documentClient, [
      [undefined, { Put: { TableName: table.tableName, Item: { ...key("unnamed") }, ...notExists } }],
    ]);
    expect(cancelled?.failures).toEqual([]);
    expect(cancelled?.contended).toBe(false);
  });

  it("a TransactionConflict (AWS raises it, DynamoDB Local never does) is contention, not a failed assumption", async () => {
    const stack = table.documentClient.middlewareStack;
    stack.add(
      () => async () => {
        throw new TransactionCanceledException({
          message: "Transaction cancelled",
          $metadata: {},
          CancellationReasons: [{ Code: "None" }, { Code: "TransactionConflict", Message: "Transaction is ongoing for the item" }],
        });
      },
      { step: "initialize", name: "injectConflict" },
    );
    try {
      const cancelled = await transact(table.documentClient, [
        ["fresh", { Put: { TableName: table.tableName, Item: { ...key("d") }, ...notExists } }],
        ["fresh", { Put: { TableName: table.tableName, Item: { ...key("e") }, ...notExists } }],
      ]);
      expect(cancelled?.contended).toBe(true);
      expect(cancelled?.failures).toEqual([]);
    } finally {
      stack.remove("injectConflict");
    }
  });

  it("any other error is thrown as it came", async () => {
    // A condition naming a placeholder it does not define: DynamoDB refuses the request itself, not a condition.
    await expect(
      transact(table.documentClient, [
        ["fresh", { Put: { TableName: table.tableName, Item: { ...key("f") }, ConditionExpression: "#undefined = :undefined" } }],
      ]),
    ).rejects.toMatchObject({ name: "ValidationException" });
    expect(await stored("f")).toBeUndefined();
  });
});

describe("batchGetAll: the one batch read", () => {
  it("reads more than 100 keys in batches of 100, skipping keys with nothing stored", async () => {
    const names = Array.from({ length: 230 }, (_, i) => `many-${String(i).padStart(3, "0")}`);
    for (const name of names.filter((_, i) => i % 3 !== 0)) await put({ ...key(name), name });
    const found = await batchGetAll(table.documentClient, table.tableName, names.map(key), { consistentRead: true });
    expect(found.map((item) => item.name).sort()).toEqual(names.filter((_, i) => i % 3 !== 0));
  });

  it("asks again, after the backoff, for the keys a request left unprocessed", async () => {
    for (const name of ["u-1", "u-2", "u-3"]) await put({ ...key(name), name });
    const stack = table.documentClient.middlewareStack;
    const requested: number[] = [];
    // The first answer keeps back all but one item as unprocessed keys, as DynamoDB does under load
    // (seen where the document client's answer is already unmarshalled).
    stack.add(
      (next, context) => async (args) => {
        const answer = await next(args);
        if (context.commandName !== "BatchGetItemCommand") return answer;
        requested.push(
          ((args.input as { RequestItems: Record<string, { Keys: unknown[] }> }).RequestItems[table.tableName]?.Keys ?? []).length,
        );
        if (requested.length > 1) return answer;
        const output = answer.output as { Responses?: Record<string, Record<string, unknown>[]>; UnprocessedKeys?: unknown };
        const [first, ...held] = output.Responses?.[table.tableName] ?? [];
        output.Responses = { [table.tableName]: first ? [first] : [] };
        output.UnprocessedKeys = { [table.tableName]: { Keys: held.map((item) => ({ pk: item.pk, sk: item.sk })) } };
        return answer;
      },
      { step: "initialize", name: "holdBackKeys" },
    );
    const backoffs: number[] = [];
    try {
      const found = await batchGetAll(table.documentClient, table.tableName, ["u-1", "u-2", "u-3"].map(key), {
        backoff: async (attempt) => void backoffs.push(attempt),
      });
      expect(found.map((item) => item.name).sort()).toEqual(["u-1", "u-2", "u-3"]);
      expect(requested).toEqual([3, 2]);
      expect(backoffs).toEqual([0]);
    } finally {
      stack.remove("holdBackKeys");
    }
  });
});
