import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdapters } from "../../shared/platform/composition-root";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { initiateMessage, type InitiationResult } from "../../shared/use-cases/initiate-message";
import { createProvider } from "../../shared/use-cases/create-provider";
import { SmsSendError, type OutboundSms, type SmsTransport } from "../../shared/core/ports/sms-transport";
import { invariantViolations } from "../support/table-invariants";
import { routes } from "../../shared/adapters/http/routes";
import type { ServiceError } from "../../shared/core/errors";
import { statusOf } from "../../shared/adapters/http/error-status";
import { createTestTable, type TestTable } from "../support/test-table";

/**
 * The send over the real adapters with transports that fail the ways AWS ones do: the conversation
 * is never lost and the message is never silently "sent".
 */
let table: TestTable;
let adapters: ReturnType<typeof createAdapters>;
const FROM = "+14155550100";

/** A transport whose next answers are scripted: an error to throw, or a provider id. */
class ScriptedTransport implements SmsTransport {
  readonly name = "scripted";
  readonly handed: OutboundSms[] = [];
  constructor(private readonly answer: () => Promise<{ providerMessageId: string }>) {}
  async send(sms: OutboundSms) {
    this.handed.push(sms);
    return this.answer();
  }
}

beforeAll(async () => {
  table = await createTestTable("transport-failures");
  adapters = createAdapters({ tableName: table.tableName, dynamoDbEndpoint: table.endpoint, defaultCountry: "US" });
  await createProvider(adapters, { number: FROM, name: "Support" });
  for (const [id, number] of [
    ["c-1", "+14155550111"],
    ["c-2", "+14155550122"],
    ["c-3", "+14155550133"],
  ] as const) {
    await createConsumer(adapters, { id, name: id, phoneNumbers: [number] });
  }
});
afterAll(async () => table.drop());

const sendWith = (transport: SmsTransport, consumerId: string, to: string) =>
  initiateMessage(
    { ...adapters, transport, extension: defaultComposeExtension },
    { consumerId, to, message: "Your parcel ships today" },
    { agentId: "a" },
  );

describe("transport failures", () => {
  it("a transport that times out: the interaction stands, the message is failed with the code, never sent", async () => {
    const timeout = new ScriptedTransport(async () => {
      throw new SmsSendError("TRANSPORT_TIMEOUT", "no answer in time", { retryable: true });
    });
    const reply = await sendWith(timeout, "c-1", "+14155550111");
    expect(routes.initiateMessage.status(reply as InitiationResult)).toBe(201);
    expect(reply).toMatchObject({ outcome: "created", message: { status: "failed", errorCode: "TRANSPORT_TIMEOUT" } });
    const stored = (await table.scanAll()).filter((i) => i.itemType === "message" && i.to === "+14155550111");
    expect(stored).toEqual([expect.objectContaining({ status: "failed", errorCode: "TRANSPORT_TIMEOUT" })]);
    expect(timeout.handed).toHaveLength(1);
  });

  it("a transport that throws something unexpected: failed with TRANSPORT_ERROR", async () => {
    const broken = new ScriptedTransport(async () => {
      throw new Error("socket hang up");
    });
    const reply = await sendWith(broken, "c-2", "+14155550122");
    expect(reply).toMatchObject({ message: { status: "failed", errorCode: "TRANSPORT_ERROR" } });
  });

  it("the carrier's opt-out: 409 RECIPIENT_OPTED_OUT, the opt-out remembered, the next send refused before anything is written", async () => {
    const optedOut = new ScriptedTransport(async () => {
      throw new SmsSendError("RECIPIENT_OPTED_OUT", "opted out at the carrier");
    });
    const refusal = await sendWith(optedOut, "c-3", "+14155550133").catch((error: ServiceError) => error);
    expect(refusal).toMatchObject({ code: "RECIPIENT_OPTED_OUT" });
    expect(statusOf(refusal as ServiceError)).toBe(409);
    const items = await table.scanAll();
    expect(items.filter((i) => i.itemType === "optOut" && i.customerNumber === "+14155550133")).toEqual([
      expect.objectContaining({ providerNumber: FROM, keyword: "transport" }),
    ]);
    expect(items.filter((i) => i.itemType === "message" && i.to === "+14155550133")).toEqual([
      expect.objectContaining({ status: "failed", errorCode: "RECIPIENT_OPTED_OUT" }),
    ]);
    const before = await table.scanAll();
    await expect(sendWith(optedOut, "c-3", "+14155550133")).rejects.toMatchObject({ code: "RECIPIENT_OPTED_OUT" });
    expect(optedOut.handed).toHaveLength(1);
    expect(await table.scanAll()).toEqual(before);
    expect(await invariantViolations(table)).toEqual([]);
  });
});
