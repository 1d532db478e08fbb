import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, agent, createHarness } from "../support/handler-harness";

let h: Awaited<ReturnType<typeof createHarness>>;
beforeAll(async () => {
  // As a deployer configures it: the handler loads the module named by the environment at cold start.
  h = await createHarness("compose-ext", { COMPOSE_EXTENSION_MODULE: "extensions/prefer-local-sender.ts" });
  await h.call("createProvider", { as: admin, body: { number: "+14155550101", name: "US desk" } });
  await h.call("createProvider", { as: admin, body: { number: "+442079460958", name: "UK desk" } });
  await h.call("createConsumer", { as: admin, body: { id: "uk-1", name: "Jo", location: "GB", phoneNumbers: ["07400 123456"] } });
});
afterAll(async () => {
  delete process.env.COMPOSE_EXTENSION_MODULE;
  await h.table.drop();
});

describe("compose_options with a deployer's extension module", () => {
  it("uses the example extension: a UK customer defaults to the UK sender", async () => {
    const res = await h.call("composeOptions", { as: agent, query: { consumerId: "uk-1" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ defaultSendFrom: "+442079460958", defaultSendTo: "+447400123456" });
  });
});
