import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devToken, killGroup, startServer, type RunningServer } from "../support/local-server-process";

/** The local server runs the idle close on a timer, as the stack's schedule does on AWS. */
let server: RunningServer | undefined;
beforeAll(async () => {
  server = await startServer("idle", { IDLE_CLOSE_AFTER: "1s", IDLE_SWEEP_INTERVAL_MS: "300" });
}, 120_000);
afterAll(() => {
  killGroup(server);
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

describe("local idle sweep", () => {
  it("closes a conversation once it has been idle past IDLE_CLOSE_AFTER", async () => {
    const url = server!.url;
    const admin = await devToken(server!.dataDir, ["--sub", "ada", "--groups", "admins"]);
    const agent = await devToken(server!.dataDir, ["--sub", "ann", "--groups", "agents"]);
    const post = (path: string, token: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    await post("/api/now/providers", admin, { number: "+14155550100", name: "Support" });
    await post("/api/now/consumers", admin, { id: "c-1", name: "Jo", phoneNumbers: ["+14155550111"] });
    const sent = (await (await post("/api/now/initiate_message", agent, { consumerId: "c-1", message: "hello" })).json()) as {
      interaction: { id: string };
    };
    const read = async () =>
      (await (
        await fetch(`${url}/api/now/interactions/${sent.interaction.id}`, { headers: { authorization: `Bearer ${agent}` } })
      ).json()) as { active: boolean; closedReason?: string };
    let interaction = await read();
    for (let i = 0; i < 50 && interaction.active; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      interaction = await read();
    }
    expect(interaction).toMatchObject({ active: false, closedReason: "idle" });
  }, 60_000);
});
