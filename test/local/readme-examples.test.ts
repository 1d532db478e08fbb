import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killGroup, REPO_ROOT, startServer, type RunningServer } from "../support/local-server-process";

/**
 * The README's "Try it" shell blocks, run verbatim with bash against a server started as
 * `npm start` starts it. Only the address changes (the test's server has its own port).
 */
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## Try it"), readme.indexOf("## The API"));
const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);

let server: RunningServer | undefined;
beforeAll(async () => {
  server = await startServer("readme");
}, 120_000);
afterAll(() => {
  killGroup(server);
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

describe("README examples", () => {
  it("work as written against npm start", async () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks[0]).toContain("API=http://127.0.0.1:3000");
    const script = blocks.join("\n").replace("API=http://127.0.0.1:3000", `API=${server!.url}`);
    // Every curl answer on a line of its own, so each can be read back.
    const wrapped = `set -euo pipefail\ncurl() { command curl "$@"; echo; }\n${script}`;
    const { stdout } = await promisify(execFile)("bash", ["-c", wrapped], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATA_DIR: server!.dataDir },
      timeout: 90_000,
    });
    const answers = stdout
      .trim()
      .split("\n")
      .filter((line) => line.startsWith("{") || line.startsWith("["))
      .map((line) => JSON.parse(line));
    expect(answers[0]).toEqual({ status: "ok" });
    expect(answers).toContainEqual(expect.objectContaining({ number: "+14155550100", name: "Support line", active: true }));
    expect(answers).toContainEqual(expect.objectContaining({ id: "cust-1001", phoneNumbers: ["+14155550171"] }));
    expect(answers).toContainEqual({
      valid: true,
      e164: "+14155550171",
      country: "US",
      source: "consumer_location",
      type: "fixed_line_or_mobile",
    });
    expect(answers).toContainEqual(expect.objectContaining({ available: true, consumerId: "cust-1001", defaultSendFrom: "+14155550100" }));
    expect(answers).toContainEqual(expect.objectContaining({ name: "Support line (US)", active: false }));
    expect(answers).toContainEqual({
      error: { code: "VALIDATION_FAILED", message: "invalid body: phoneNumber is required (string); unknown field 'phone'" },
    });
    expect(answers).toContainEqual({ error: { code: "FORBIDDEN", message: "this route needs group admins; the token has agents" } });
    // The walk-through: send, reply as the customer, both in the interaction's messages.
    const sent = answers.find((a) => a.outcome === "created");
    expect(sent).toMatchObject({ interaction: { assignedTo: "ann", to: "+14155550171" }, message: { status: "queued", segments: 1 } });
    expect(answers).toContainEqual([
      expect.objectContaining({ from: "+14155550100", to: "+14155550171", body: "Hi Jo, your parcel ships today." }),
    ]);
    expect(answers).toContainEqual(expect.objectContaining({ outcome: "joined", interactionId: sent.interaction.id }));
    // The long-poll opened before the reply answered with it.
    const feed = answers.find((a) => Array.isArray(a.items) && a.items.some((event: { type: string }) => event.type === "message.created"));
    expect(feed.items.find((event: { type: string }) => event.type === "message.created").data.message).toMatchObject({
      direction: "inbound",
      body: "Thanks! Can it come on Friday?",
    });
    const messages = answers.find((a) => Array.isArray(a.items) && a.items.length === 2 && a.items[0].direction === "outbound").items;
    expect(messages.map((m: { direction: string; body: string; status: string }) => [m.direction, m.body, m.status])).toEqual([
      ["outbound", "Hi Jo, your parcel ships today.", "sent"],
      ["inbound", "Thanks! Can it come on Friday?", "received"],
    ]);
    expect(answers).toContainEqual(expect.objectContaining({ dryRun: true, outcome: "injected", profile: { change: "keep" } }));
    expect(answers).toContainEqual(expect.objectContaining({ status: "associated_with_consumer", phoneNumber: "+14155550171" }));
    expect(answers).toContainEqual(expect.objectContaining({ id: sent.interaction.id, state: "closed_complete", active: false }));
    // Consent: an agent's opt-out of every number refuses the next send; an agent's opt-in is 403; the ledger shows both people's entries.
    expect(answers).toContainEqual(
      expect.objectContaining({
        entry: expect.objectContaining({ providerNumber: "*", state: "opted_out", source: "agent", actorId: "ann" }),
      }),
    );
    expect(answers).toContainEqual({ error: expect.objectContaining({ code: "RECIPIENT_OPTED_OUT" }) });
    expect(answers).toContainEqual({
      error: expect.objectContaining({ code: "FORBIDDEN", message: expect.stringContaining("administrator") }),
    });
    const consent = answers.find((a) => a.phoneNumber === "+14155550171" && Array.isArray(a.history) && !a.entry);
    expect(consent.consents).toEqual([{ providerNumber: "*", state: "opted_in", since: expect.any(String) }]);
    expect(consent.history.map((entry: { source: string; state: string }) => [entry.source, entry.state])).toEqual([
      ["agent", "opted_out"],
      ["admin", "opted_in"],
    ]);
    // The send window: refused at the customer's 3 a.m. with the same morning's 08:00, allowed once the customer wrote.
    const refused = answers.find((a) => a.error?.code === "OUTSIDE_SEND_WINDOW");
    expect(refused?.error).toMatchObject({ timeZone: expect.stringMatching(/^Etc\/GMT[+-]\d+$/) });
    expect(refused.error.nextAllowedAt).toMatch(/^\d{4}-\d\d-\d\dT08:00:00[+-]\d\d:00$/);
    expect(Date.parse(refused.error.nextAllowedAt) - Date.now()).toBeGreaterThan(3 * 3600_000);
    // Asked to, the same send is scheduled for then; the customer's reply joins that conversation, and the answer goes at once.
    const scheduled = answers.find((a) => a.message?.status === "scheduled");
    expect(scheduled).toMatchObject({ outcome: "created", message: { body: "Your refund is on its way.", to: "+14155550199" } });
    expect(scheduled.message.scheduledFor).toBe(new Date(refused.error.nextAllowedAt).toISOString());
    expect(answers).toContainEqual(
      expect.objectContaining({
        outcome: "injected",
        interaction: expect.objectContaining({ id: scheduled.interaction.id }),
        message: expect.objectContaining({ body: "Yes: it is on its way.", status: "queued" }),
      }),
    );
    // Privacy: Nat's export holds their consumer and messages; the erasure completes and says what it did, never the number.
    const exported = answers.find((a) => a.phoneNumber === "+14155550199" && Array.isArray(a.profiles));
    expect(exported.consumers).toEqual([expect.objectContaining({ id: "cust-night" })]);
    expect(exported.messages).toContainEqual(expect.objectContaining({ body: "Is my refund coming?" }));
    const erased = answers.find((a) => typeof a.id === "string" && a.id.startsWith("era_") && a.status === "completed");
    expect(erased.counts).toMatchObject({ profiles: 1, consumers: 1, interactions: 1, closedInteractions: 1, messages: 3 });
    expect(JSON.stringify(erased)).not.toContain("+14155550199");
  }, 120_000);
});
