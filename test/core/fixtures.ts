import { createConsumer } from "../../shared/use-cases/create-consumer";
import { createProvider } from "../../shared/use-cases/create-provider";
import {
  initiateMessage,
  type InitiateMessageAnswer,
  type InitiateMessageInput,
  type InitiationResult,
} from "../../shared/use-cases/initiate-message";
import { receiveInboundSms, type InboundResult } from "../../shared/use-cases/receive-inbound-sms";
import { createInMemoryPorts, type InMemoryPorts } from "../support/in-memory-ports";

/** A small desk over the in-memory ports, seeded through the use cases themselves. */
export const SUPPORT = "+14155550100";
export const BILLING = "+14155550101";
export const RETIRED = "+14155550199";
export const ANN = "+14155550111";
export const BOB = "+14155550122";
export const DAN = "+14155550144";
/** A number nobody lists and no profile holds. */
export const FRESH = "+14155550177";
export const SECOND = 1000;

/**
 * Providers Support (prv_0001), Billing (prv_0002) and Retired (prv_0003, inactive); consumers
 * Annie (c-ann, ANN), Bob (c-bob, BOB), Cat (c-cat, no number) and Dan (c-dan, DAN), each number
 * with its active profile. The clock moves a second between writes, and a minute after them.
 */
export async function desk(options: Parameters<typeof createInMemoryPorts>[0] = {}): Promise<InMemoryPorts> {
  const ports = createInMemoryPorts(options);
  for (const provider of [
    { number: SUPPORT, name: "Support" },
    { number: BILLING, name: "Billing" },
    { number: RETIRED, name: "Retired", active: false },
  ]) {
    await createProvider(ports, provider);
    ports.clock.advance(SECOND);
  }
  for (const [id, name, numbers] of [
    ["c-ann", "Annie", [ANN]],
    ["c-bob", "Bob", [BOB]],
    ["c-cat", "Cat", []],
    ["c-dan", "Dan", [DAN]],
  ] as const) {
    await createConsumer(ports, { id, name, phoneNumbers: [...numbers] });
    ports.clock.advance(SECOND);
  }
  ports.clock.advance(60 * SECOND);
  return ports;
}

export type SendBody = Partial<InitiateMessageInput> & { consumerId: string };

/** An agent's send; `message` defaults to a short GSM-7 text. */
export function send(ports: InMemoryPorts, agentId: string, body: SendBody, idempotencyKey?: string): Promise<InitiateMessageAnswer> {
  return initiateMessage(
    ports,
    { message: "Hello from the desk", ...body },
    { agentId, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
  );
}

/** A send that took effect (not a dry run). */
export async function sent(answer: InitiateMessageAnswer | Promise<InitiateMessageAnswer>): Promise<InitiationResult> {
  const resolved = await answer;
  if ("dryRun" in resolved) throw new Error("expected a send, got a dry run");
  return resolved;
}

let inboundCounter = 0;

/** A customer's SMS to a provider number (Support unless said), with a fresh inbound message id unless given. */
export function inbound(
  ports: InMemoryPorts,
  from: string,
  body: string,
  options: { to?: string; inboundMessageId?: string } = {},
): Promise<InboundResult> {
  return receiveInboundSms(ports, {
    originationNumber: from,
    destinationNumber: options.to ?? SUPPORT,
    messageBody: body,
    inboundMessageId: options.inboundMessageId ?? `in-${++inboundCounter}`,
  });
}

/** The interaction id of an inbound result that stored a message. */
export function interactionOf(result: InboundResult): string {
  if (result.outcome === "duplicate") throw new Error("expected a stored inbound message, got a duplicate");
  return result.interactionId;
}
