import { describe, expect, it } from "vitest";
import type { Api } from "../../console/api";
import { DeskState } from "../../console/desk-state";
import { MessagePreviews } from "../../console/message-previews";
import type { Message, Page } from "../../console/wire";

/**
 * Reading each listed conversation's last message for its row: a few at a time, every page to the
 * newest, once each. The HTTP answers are given by hand here (the page against the real server is
 * test/console/console.test.ts); each waits until the test lets it answer.
 */
class HeldAnswers implements Pick<Api, "interactionMessages"> {
  readonly asked: { id: string; after: string | undefined }[] = [];
  private readonly waiting: { id: string; answer: (page: Page<Message> | Error) => void }[] = [];

  interactionMessages(id: string, after?: string): Promise<Page<Message>> {
    this.asked.push({ id, after });
    return new Promise((done, fail) => this.waiting.push({ id, answer: (page) => (page instanceof Error ? fail(page) : done(page)) }));
  }

  inFlight(): string[] {
    return this.waiting.map((entry) => entry.id);
  }

  async answer(id: string, page: Page<Message> | Error): Promise<void> {
    const index = this.waiting.findIndex((entry) => entry.id === id);
    expect(index).toBeGreaterThanOrEqual(0);
    this.waiting.splice(index, 1)[0]!.answer(page);
    // Lets the reader take the answer and ask what comes next.
    await new Promise((settled) => setTimeout(settled, 0));
  }
}

/** A conversation in the queue, as the list answers it (no message). */
const queued = (id: string) => ({ id, type: "sms", state: "queued", handler: "queue", assignedTo: null, consumerId: "cust-1001" }) as const;

const message = (interactionId: string, n: number): Message => ({
  id: `msg_${n}`,
  interactionId,
  direction: n % 2 ? "outbound" : "inbound",
  body: `message ${n}`,
  from: "+14155550100",
  to: "+14155550171",
  status: "sent",
  createdAt: new Date(Date.UTC(2026, 11, 2, 10, 0, n)).toISOString(),
});

function desk(ids: string[]) {
  const state = new DeskState("ann");
  ids.forEach((id) => state.upsertInteraction(queued(id)));
  const answers = new HeldAnswers();
  let reads = 0;
  const previews = new MessagePreviews(answers, state, () => (reads += 1));
  return { state, answers, previews, reads: () => reads };
}

describe("the rows' last messages", () => {
  it("reads four conversations at a time, each once, and shows the newest message of each", async () => {
    const ids = ["int_1", "int_2", "int_3", "int_4", "int_5", "int_6"];
    const { state, answers, previews, reads } = desk(ids);
    previews.want(ids);
    previews.want(ids);
    expect(answers.inFlight()).toEqual(["int_1", "int_2", "int_3", "int_4"]);
    expect(ids.map((id) => previews.pending(id))).toEqual(ids.map(() => true));

    await answers.answer("int_2", { items: [message("int_2", 1), message("int_2", 2)] });
    expect(answers.inFlight()).toEqual(["int_1", "int_3", "int_4", "int_5"]);
    expect(previews.pending("int_2")).toBe(false);
    expect(state.get("int_2")?.lastMessage).toEqual({ body: "message 2", direction: "inbound", at: message("int_2", 2).createdAt });

    for (const id of ["int_1", "int_3", "int_4", "int_5", "int_6"])
      await answers.answer(id, { items: id === "int_6" ? [] : [message(id, 3)] });
    expect(answers.inFlight()).toEqual([]);
    expect(answers.asked.map((call) => call.id)).toEqual(["int_1", "int_2", "int_3", "int_4", "int_5", "int_6"]);
    expect(state.get("int_5")?.lastMessage?.body).toBe("message 3");
    // No message at all: the row says so, and nobody asks again.
    expect(state.get("int_6")?.lastMessage).toBeUndefined();
    expect(previews.pending("int_6")).toBe(false);
    previews.want(ids);
    expect(answers.inFlight()).toEqual([]);
    expect(reads()).toBe(6);
  });

  it("follows the pages to the newest message, past a last page that is empty", async () => {
    const { state, answers, previews } = desk(["int_1"]);
    previews.want(["int_1"]);
    await answers.answer("int_1", { items: [message("int_1", 1), message("int_1", 2)], cursor: "c1" });
    await answers.answer("int_1", { items: [message("int_1", 3)], cursor: "c2" });
    expect(state.get("int_1")?.lastMessage).toBeUndefined();
    await answers.answer("int_1", { items: [] });
    expect(answers.asked).toEqual([
      { id: "int_1", after: undefined },
      { id: "int_1", after: "c1" },
      { id: "int_1", after: "c2" },
    ]);
    expect(state.get("int_1")?.lastMessage?.body).toBe("message 3");
  });

  it("asks nothing for a conversation whose last message the desk knows, and asks again after a failure", async () => {
    const { state, answers, previews } = desk(["int_1", "int_2"]);
    state.upsertMessage(message("int_1", 1));
    previews.want(["int_1", "int_2"]);
    expect(answers.inFlight()).toEqual(["int_2"]);
    await answers.answer("int_2", new Error("no answer from the local server"));
    expect(previews.pending("int_2")).toBe(false);
    expect(state.get("int_2")?.lastMessage).toBeUndefined();
    previews.want(["int_2"]);
    expect(answers.inFlight()).toEqual(["int_2"]);
  });
});
