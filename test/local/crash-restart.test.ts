import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { devToken, killGroup, startServer, type RunningServer } from "../support/local-server-process";

/**
 * The measurement of issue 9, as a test: `npm start`'s server is SIGKILLed (with DynamoDB Local,
 * its whole process group) while 32 sends are in flight, then started again on the same DATA_DIR.
 * Every message the table holds must end `sent` or `failed` with a code (none left pending), and
 * the outbox must hold no message twice (lost and doubled, as the issue counts them, both 0). Short lease and re-dispatch age so it runs in seconds.
 */
const env = { SMS_CLAIM_LEASE: "3s", SMS_REDISPATCH_AFTER: "1s", SMS_SWEEP_INTERVAL_MS: "300" };
const FROM = "+14155550100";
const SENDS = 32;
const customer = (i: number) => `+1415555${String(2000 + i).padStart(4, "0")}`;

let first: RunningServer | undefined;
let second: RunningServer | undefined;
afterAll(() => {
  killGroup(first);
  killGroup(second);
  if (first) rmSync(first.dataDir, { recursive: true, force: true });
});

async function api(server: RunningServer, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("a local server killed mid-send and started again", () => {
  it("ends every stored message sent or failed with a code, and hands none over twice", async () => {
    first = await startServer("crash", env);
    const admin = await devToken(first.dataDir, ["--sub", "ada", "--groups", "admins"]);
    const agent = await devToken(first.dataDir, ["--sub", "ann", "--groups", "agents"]);
    // Paced at 4 message parts a second, so the kill finds messages waiting for a slot, claimed and queued.
    expect((await api(first, admin, "POST", "/api/now/providers", { number: FROM, name: "Support", mps: 4 })).status).toBe(201);
    for (let i = 0; i < SENDS; i++) {
      const created = await api(first, admin, "POST", "/api/now/consumers", { id: `c-${i}`, name: `C ${i}`, phoneNumbers: [customer(i)] });
      expect(created.status).toBe(201);
    }

    // 32 sends at once; the server dies when a quarter of them have been answered.
    let answered = 0;
    const server = first;
    const sends = Array.from({ length: SENDS }, (_, i) =>
      api(server, agent, "POST", "/api/now/initiate_message", { consumerId: `c-${i}`, to: customer(i), message: `crash test ${i}` })
        .then((answer) => {
          answered++;
          return answer.status;
        })
        .catch(() => "no answer"),
    );
    while (answered < SENDS / 4) await new Promise((resolve) => setTimeout(resolve, 5));
    killGroup(first);
    await first.exited;
    const answers = await Promise.all(sends);

    second = await startServer("crash-again", env, first.dataDir);
    const agentAgain = await devToken(second.dataDir, ["--sub", "ann", "--groups", "agents"]);
    const stored = async () => {
      const messages: { id: string; status: string; errorCode?: string }[] = [];
      for (let i = 0; i < SENDS; i++) {
        const list = await api(second!, agentAgain, "GET", `/api/now/interactions?consumerId=c-${i}`);
        for (const interaction of list.body.items as { id: string }[]) {
          messages.push(...(await api(second!, agentAgain, "GET", `/api/now/interactions/${interaction.id}/messages`)).body.items);
        }
      }
      return messages;
    };
    // The sweep finishes what the kill interrupted: queued ones are dispatched again, lapsed claims end.
    let messages = await stored();
    for (let waited = 0; messages.some((m) => m.status === "queued" || m.status === "sending") && waited < 30_000; waited += 500) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      messages = await stored();
    }
    const outbox = readFileSync(join(first.dataDir, "outbox.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string });
    const handed = new Map<string, number>();
    for (const entry of outbox) handed.set(entry.id, (handed.get(entry.id) ?? 0) + 1);
    const lost = messages.filter((m) => !(m.status === "sent" || (m.status === "failed" && m.errorCode)));
    const doubled = [...handed.values()].filter((count) => count > 1);
    const byStatus: Record<string, number> = {};
    for (const m of messages)
      byStatus[`${m.status}${m.errorCode ? ` ${m.errorCode}` : ""}`] =
        (byStatus[`${m.status}${m.errorCode ? ` ${m.errorCode}` : ""}`] ?? 0) + 1;
    console.log(
      `[kill -9 mid-send] answered before the kill ${answers.filter((a) => a !== "no answer").length}/${SENDS}; stored ${messages.length}: ${JSON.stringify(byStatus)}; outbox ${outbox.length} entries; lost ${lost.length}, doubled ${doubled.length}`,
    );
    expect(lost).toEqual([]);
    expect(doubled).toEqual([]);
    // Not asserted: that every send answered 201 before the kill is stored. DynamoDB Local itself
    // loses its last acknowledged transactions when SIGKILLed (seen in about half the runs: the
    // whole transaction gone, base items and all), which DynamoDB on AWS never does; the pipeline
    // is judged on what the table holds.
    // Whatever reached the outbox is recorded sent, or OUTCOME_UNKNOWN (the kill came before the verdict).
    for (const m of messages.filter((candidate) => handed.has(`outbox-${candidate.id}`))) {
      expect(m.status === "sent" || m.errorCode === "OUTCOME_UNKNOWN", JSON.stringify(m)).toBe(true);
    }
  }, 150_000);
});
