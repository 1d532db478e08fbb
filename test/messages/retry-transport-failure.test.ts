import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness } from "../support/handler-harness";
import { seedDesk, sendMessage, storedMessage } from "./message-fixtures";

/**
 * A transport that refuses everything (the outbox file sits under a regular file, so it cannot be
 * written): a first send records `failed`, a retry is claimed (answered `queued`), refused again by
 * the transport in the pipeline and recorded `failed` with its code, and can be retried once more.
 */
let h: Awaited<ReturnType<typeof createHarness>>;

beforeAll(async () => {
  const blocker = join(mkdtempSync(join(tmpdir(), "retry-fail-")), "not-a-directory");
  writeFileSync(blocker, "");
  h = await createHarness("retry-fail", { OUTBOX_FILE: join(blocker, "outbox.jsonl") });
  await seedDesk(h, 1);
});
afterAll(async () => h.table.drop());

describe("retry when the transport refuses again", () => {
  it("answers 200 with the message queued again; the pipeline fails it again with the transport's code, one more attempt", async () => {
    const message = await sendMessage(h, 0);
    expect(message).toMatchObject({ status: "failed", errorCode: "TRANSPORT_ERROR" });

    const res = await h.call("retryMessage", { params: { id: message.interactionId, messageId: message.id } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.message).toMatchObject({ id: message.id, status: "queued", attempts: 2 });
    expect(res.body.message.errorCode).toBeUndefined();
    expect(res.body.message.providerMessageId).toBeUndefined();
    expect(await storedMessage(h, message)).toMatchObject({ status: "failed", errorCode: "TRANSPORT_ERROR", attempts: 2 });

    const again = await h.call("retryMessage", { params: { id: message.interactionId, messageId: message.id } });
    expect(again.body.message).toMatchObject({ status: "queued", attempts: 3 });
    expect(await storedMessage(h, message)).toMatchObject({ status: "failed", errorCode: "TRANSPORT_ERROR", attempts: 3 });
  });
});
