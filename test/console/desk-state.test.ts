import { describe, expect, it } from "vitest";
import { DeskState } from "../../console/desk-state";
import type { Message } from "../../shared/core/model/message";
import type { ServiceEvent } from "../../shared/core/model/service-event";

/** The desk's fold of events: what the console shows, without a browser. */
const interaction = {
  id: "int_1",
  type: "sms" as const,
  state: "work_in_progress" as const,
  handler: "agent" as const,
  assignedTo: "ann",
  consumerId: "cust-1001",
  from: "+14155550100",
  to: "+14155550171",
};
const outbound: Message = {
  id: "msg_1",
  interactionId: "int_1",
  direction: "outbound",
  body: "Hi Jo",
  from: "+14155550100",
  to: "+14155550171",
  agentId: "ann",
  status: "queued",
  createdAt: "2026-12-02T10:00:00.000Z",
};

let counter = 0;
function event(type: ServiceEvent["type"], sequence: number, data: Record<string, unknown>, at = "2026-12-02T10:00:00.000Z"): ServiceEvent {
  counter += 1;
  return { id: `evt_${counter}`, type, occurredAt: at, interactionId: "int_1", sequence, actor: { type: "system" }, data };
}

const created = () => event("interaction.created", 1, { interaction });
const messageCreated = () => event("message.created", 3, { message: outbound });
const status = (sequence: number, value: string, extra: Record<string, unknown> = {}) =>
  event("message.status_changed", sequence, { messageId: "msg_1", status: value, ...extra });

const statusOf = (desk: DeskState) => {
  const entry = desk.transcript("int_1").find((item) => item.kind === "message");
  return entry?.kind === "message" ? entry.message.status : undefined;
};

describe("the desk's state, folded from events", () => {
  it("shows the latest status whatever order the events arrive in, and each event once", () => {
    const events = [created(), messageCreated(), status(4, "sending"), status(5, "sent", { providerMessageId: "p-1" })];
    const inOrder = new DeskState("ann");
    events.forEach((item) => inOrder.apply(item));
    const reversed = new DeskState("ann");
    // The status events before the message they are about are kept for when the transcript brings it again.
    [...events].reverse().forEach((item) => reversed.apply(item));
    events.forEach((item) => reversed.apply(item));
    expect(statusOf(inOrder)).toBe("sent");
    expect(statusOf(reversed)).toBe("sent");
    expect(inOrder.apply(events[3]!)).toEqual({ changed: false });
  });

  it("lets the send's answer show the message at once, and any event about it overrule it", () => {
    const desk = new DeskState("ann");
    desk.upsertInteraction(interaction, outbound.createdAt);
    desk.upsertMessage(outbound);
    expect(statusOf(desk)).toBe("queued");
    desk.apply(status(5, "sent"));
    // The message.created event arrives after (it was committed first): its older status loses.
    desk.apply(messageCreated());
    expect(statusOf(desk)).toBe("sent");
    desk.upsertMessage({ ...outbound, status: "queued" });
    expect(statusOf(desk)).toBe("sent");
  });

  it("moves a failed message back to queued on a retry, which comes later in the interaction", () => {
    const desk = new DeskState("ann");
    [created(), messageCreated(), status(4, "failed", { errorCode: "OUTCOME_UNKNOWN" }), status(7, "queued")].forEach((item) =>
      desk.apply(item),
    );
    const entry = desk.transcript("int_1").find((item) => item.kind === "message");
    expect(entry?.kind === "message" && entry.message).toMatchObject({ status: "queued" });
    expect(entry?.kind === "message" && entry.message.errorCode).toBeUndefined();
  });

  it("counts the customer's messages while the conversation is not open, and asks for conversations it does not know", () => {
    const desk = new DeskState("ann");
    const reply = (id: string, minute: number): Message => ({
      ...outbound,
      id,
      direction: "inbound",
      body: "Thanks!",
      agentId: undefined,
      status: "received",
      createdAt: `2026-12-02T10:0${minute}:00.000Z`,
    });
    const arrives = (id: string, sequence: number, minute: number) =>
      desk.apply(event("message.created", sequence, { message: reply(id, minute) }, `2026-12-02T10:0${minute}:00.000Z`));
    expect(arrives("msg_2", 6, 1)).toEqual({
      changed: true,
      fetchInteraction: "int_1",
    });
    desk.upsertInteraction(interaction);
    expect(desk.get("int_1")?.lastMessage).toEqual({ body: "Thanks!", direction: "inbound", at: "2026-12-02T10:01:00.000Z" });
    arrives("msg_3", 8, 2);
    expect(desk.get("int_1")?.unread).toBe(1);
    desk.open("int_1");
    expect(desk.get("int_1")?.unread).toBe(0);
    arrives("msg_4", 9, 3);
    expect(desk.get("int_1")?.unread).toBe(0);
    expect(desk.get("int_1")?.lastActivityAt).toBe("2026-12-02T10:03:00.000Z");
  });

  it("previews a conversation's newest message from its messages answer, never moving back to an older one", () => {
    const desk = new DeskState("ann");
    desk.upsertInteraction(interaction);
    expect(desk.get("int_1")?.lastMessage).toBeUndefined();
    desk.preview(outbound);
    expect(desk.get("int_1")?.lastMessage).toEqual({ body: "Hi Jo", direction: "outbound", at: "2026-12-02T10:00:00.000Z" });
    // The transcript comes from the events when it is opened: the preview is not part of it.
    expect(desk.transcript("int_1")).toEqual([]);
    const reply: Message = {
      ...outbound,
      id: "msg_2",
      direction: "inbound",
      body: "Thanks!",
      status: "received",
      createdAt: "2026-12-02T10:05:00.000Z",
    };
    desk.apply(event("message.created", 6, { message: reply }, reply.createdAt));
    // An answer read before the reply arrived comes late.
    desk.preview(outbound);
    expect(desk.get("int_1")?.lastMessage).toEqual({ body: "Thanks!", direction: "inbound", at: "2026-12-02T10:05:00.000Z" });
    expect(desk.get("int_1")?.lastActivityAt).toBe("2026-12-02T10:05:00.000Z");
    desk.preview({ ...outbound, interactionId: "int_unknown" });
    expect(desk.get("int_unknown")).toBeUndefined();
  });

  it("keeps a closed conversation closed, lists active ones first, and notes what happened in the transcript", () => {
    const desk = new DeskState("ann");
    desk.apply(created());
    desk.apply(event("interaction.closed", 9, { reason: "replaced_other_consumer", replacedBy: "int_2" }));
    desk.upsertInteraction({ ...interaction, active: true, state: "work_in_progress" });
    expect(desk.get("int_1")).toMatchObject({ active: false, closedReason: "replaced_other_consumer" });
    desk.upsertInteraction({ ...interaction, id: "int_2", to: "+14155550199" }, "2026-12-01T00:00:00.000Z");
    expect(desk.list().map((conversation) => conversation.id)).toEqual(["int_2", "int_1"]);
    expect(desk.transcript("int_1").map((entry) => (entry.kind === "note" ? entry.text : entry.key))).toEqual([
      "Conversation opened",
      "Conversation closed: the number moved to another customer",
    ]);
  });

  it("reads a conversation again when the agent joins it (joining a queued one assigns it)", () => {
    const desk = new DeskState("ann");
    desk.apply(created());
    expect(desk.apply(event("participant.joined", 2, { agentId: "ann" }))).toEqual({ changed: true, fetchInteraction: "int_1" });
    expect(desk.apply(event("participant.joined", 3, { agentId: "bob" }))).toEqual({ changed: true });
  });
});
