import { describe, expect, it } from "vitest";
import type { ComposeContext, ComposeDefaultsExtension } from "../../shared/core/ports/compose-defaults-extension";
import { composeOptions, type ComposeOptionsDeps } from "../../shared/use-cases/compose-options";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { loadComposeExtension } from "../../shared/adapters/compose/load-compose-extension";
import type { Consumer } from "../../shared/core/model/consumer";
import type { Provider } from "../../shared/core/model/provider";
import type { Interaction } from "../../shared/core/model/interaction";
import preferLocalSender from "../../extensions/prefer-local-sender";

const consumer: Consumer = {
  id: "c-1",
  name: "Ann",
  location: "GB",
  phoneNumbers: ["+447400123456", "+14155550171"],
  createdAt: "2026-01-01T00:00:00Z",
};
const us = { number: "+14155550101", providerId: "prv_us", name: "US desk" };
const uk = { number: "+442079460958", providerId: "prv_uk", name: "UK desk" };
const context: ComposeContext = { consumer, providers: [us, uk], candidateNumbers: consumer.phoneNumbers };

const provider = (option: typeof us, active = true, createdAt = "2026-01-01T00:00:00Z"): Provider => ({
  id: option.providerId,
  number: option.number,
  name: option.name,
  channel: "sms",
  active,
  createdAt,
  updatedAt: createdAt,
});

/** In-memory fakes of the ports. */
function fakeDeps(extension: ComposeDefaultsExtension, interactions: Interaction[] = []): ComposeOptionsDeps {
  return {
    clock: { now: () => new Date("2026-03-02T18:00:00Z") },
    defaultCountry: "US",
    sendWindow: { start: 0, end: 24 * 60 },
    replyGraceMs: 3_600_000,
    consumers: { get: async (id) => (id === consumer.id ? consumer : undefined) },
    providers: { list: async () => [provider(us), provider(uk, true, "2026-01-02T00:00:00Z")] },
    interactions: { get: async (id) => interactions.find((i) => i.id === id) },
    // The number's state as the store reads it: a lock per active SMS interaction.
    conversations: {
      readNumberState: async (to) => ({
        activeProfile: undefined,
        consumerIds: [],
        optOuts: [],
        lastInboundAt: {},
        locks: interactions
          .filter((i) => i.type === "sms" && i.active && i.to === to)
          .map((i) => ({
            providerNumber: i.from!,
            customerNumber: i.to!,
            interactionId: i.id,
            interactionCreatedAt: i.createdAt,
            consumerId: i.consumerId,
            handler: i.handler,
            state: i.state,
            assignedTo: i.assignedTo,
            version: 1,
          })),
      }),
    },
    extension,
  };
}

describe("the shipped default extension", () => {
  it("offers every provider, the first as default, and the first candidate number as send-to", () => {
    expect(defaultComposeExtension.composeDefaults(context)).toEqual({
      sendFrom: [us, uk],
      defaultSendFrom: us.number,
      sendTo: consumer.phoneNumbers,
      defaultSendTo: "+447400123456",
    });
  });
});

describe("the example extension (prefer-local-sender)", () => {
  it("defaults to a sender in the customer's country", () => {
    expect(preferLocalSender.composeDefaults(context)).toMatchObject({ defaultSendFrom: uk.number, defaultSendTo: "+447400123456" });
  });
  it("falls back to the first provider when none is local", () => {
    const onlyUs = { ...context, providers: [us] };
    expect(preferLocalSender.composeDefaults(onlyUs)).toMatchObject({ defaultSendFrom: us.number });
  });
});

describe("loading an extension module", () => {
  it("uses the default when no module is configured", async () => {
    expect(await loadComposeExtension(undefined)).toBe(defaultComposeExtension);
  });
  it("loads a deployer's module from a path relative to the working directory", async () => {
    const loaded = await loadComposeExtension("extensions/prefer-local-sender.ts");
    expect(loaded.name).toBe("prefer-local-sender");
  });
  it("fails loudly, naming the module, when it exports no extension", async () => {
    await expect(loadComposeExtension("test/compose/fixtures/not-an-extension.ts")).rejects.toThrow(/not-an-extension\.ts must export/);
    await expect(loadComposeExtension("test/compose/fixtures/missing.ts")).rejects.toThrow();
  });
});

describe("compose options keep the service's rules over any extension", () => {
  it("drops a sender that is not an active provider and re-picks the default", async () => {
    const rogue: ComposeDefaultsExtension = {
      name: "rogue",
      composeDefaults: (ctx) => ({
        sendFrom: [{ number: "+19999999999", providerId: "x", name: "x" }, ...ctx.providers],
        defaultSendFrom: "+19999999999",
        sendTo: [...ctx.candidateNumbers],
        defaultSendTo: ctx.candidateNumbers[0] ?? null,
      }),
    };
    const res = await composeOptions(fakeDeps(rogue), { consumerId: "c-1" });
    expect(res.sendFrom).toEqual([us, uk]);
    expect(res.defaultSendFrom).toBe(us.number);
  });

  it("an ongoing conversation overrides the extension's defaults", async () => {
    const ongoing: Interaction = {
      id: "sms-1",
      type: "sms",
      state: "work_in_progress",
      active: true,
      handler: "virtual_agent",
      assignedTo: null,
      consumerId: "c-1",
      from: us.number,
      to: "+447400123456",
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
    };
    const res = await composeOptions(fakeDeps(preferLocalSender, [ongoing]), { consumerId: "c-1" });
    expect(res.defaultSendFrom).toBe(us.number); // not the UK sender the extension prefers
    expect(res.activeInteraction).toMatchObject({ id: "sms-1", handler: "virtual_agent" });
  });
});
