import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, agent, createHarness } from "../support/handler-harness";

let h: Awaited<ReturnType<typeof createHarness>>;
beforeAll(async () => {
  h = await createHarness("consumers");
});
afterAll(async () => h.table.drop());

describe("consumers", () => {
  it("creates a consumer, reading national numbers in its location, and links each number", async () => {
    const res = await h.call("createConsumer", {
      as: admin,
      body: { id: "cust-1", name: "Jo Bloggs", location: "gb", phoneNumbers: ["07400 123456", "+44 7400 123456", "020 7946 0958"] },
    });
    expect(res.status).toBe(201);
    // Two spellings of one phone are one number.
    expect(res.body).toMatchObject({ id: "cust-1", location: "GB", phoneNumbers: ["+447400123456", "+442079460958"] });
    const items = await h.table.scanAll();
    expect(items.filter((i) => i.pk === "CONSUMER#cust-1")).toHaveLength(1);
    expect(
      items
        .filter((i) => i.sk === "CONSUMER#cust-1")
        .map((i) => i.pk)
        .sort(),
    ).toEqual(["PHONE#+442079460958", "PHONE#+447400123456"]);
  });

  it("generates an id when none is given and uses the default country without a location", async () => {
    const res = await h.call("createConsumer", { as: admin, body: { name: "Sam", phoneNumbers: ["(415) 555-0171"] } });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^con_/);
    expect(res.body.phoneNumbers).toEqual(["+14155550171"]);
    expect(res.body.location).toBeUndefined();
  });

  it("refuses a duplicate id with 409 and leaves the first consumer untouched", async () => {
    const res = await h.call("createConsumer", { as: admin, body: { id: "cust-1", name: "Impostor", phoneNumbers: ["+14155550999"] } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("CONSUMER_ALREADY_EXISTS");
    const items = await h.table.scanAll();
    expect(items.find((i) => i.pk === "CONSUMER#cust-1")).toMatchObject({ name: "Jo Bloggs" });
    expect(items.some((i) => i.pk === "PHONE#+14155550999")).toBe(false);
  });

  it("refuses an invalid number with 422, naming it, and stores nothing", async () => {
    const before = await h.table.scanAll();
    const res = await h.call("createConsumer", { as: admin, body: { name: "Bad", phoneNumbers: ["+14155550172", "12"] } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "INVALID_PHONE_NUMBER", field: "phoneNumbers[1]", reason: "TOO_SHORT" });
    expect(await h.table.scanAll()).toEqual(before);
  });

  it("keeps a consumer's IANA time zone, and refuses an unknown one with 400, storing nothing", async () => {
    const res = await h.call("createConsumer", {
      as: admin,
      body: { id: "cust-tz", name: "Ana", location: "ES", timeZone: "Atlantic/Canary", phoneNumbers: ["+34 612 345 678"] },
    });
    expect(res.status).toBe(201);
    expect(res.body.timeZone).toBe("Atlantic/Canary");
    expect((await h.call("getConsumer", { as: agent, params: { id: "cust-tz" } })).body.timeZone).toBe("Atlantic/Canary");

    const before = await h.table.scanAll();
    for (const timeZone of ["Mars/Olympus_Mons", "+01:00", ""]) {
      const refused = await h.call("createConsumer", { as: admin, body: { name: "Zed", timeZone, phoneNumbers: ["+34 612 345 679"] } });
      expect(refused.status, timeZone).toBe(400);
      expect(refused.body.error.code).toBe("VALIDATION_FAILED");
      expect(refused.body.error.message).toContain("timeZone");
    }
    expect(await h.table.scanAll()).toEqual(before);
  });

  it("reads a consumer by id; 404 when unknown", async () => {
    expect((await h.call("getConsumer", { as: agent, params: { id: "cust-1" } })).body.name).toBe("Jo Bloggs");
    const missing = await h.call("getConsumer", { as: agent, params: { id: "nobody" } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("CONSUMER_NOT_FOUND");
  });

  it("finds consumers by a number in any accepted format", async () => {
    await h.call("createConsumer", { as: admin, body: { id: "cust-2", name: "Second holder", phoneNumbers: ["+447400123456"] } });
    const res = await h.call("findConsumers", { as: agent, query: { phoneNumber: "+44 (0)7400 123456" } });
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { id: string }) => c.id)).toEqual(["cust-1", "cust-2"]);
    const none = await h.call("findConsumers", { as: agent, query: { phoneNumber: "+14155550000" } });
    expect(none.body.items).toEqual([]);
    const bad = await h.call("findConsumers", { as: agent, query: { phoneNumber: "hello" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.reason).toBe("NOT_A_NUMBER");
  });

  it("lets only admins create consumers", async () => {
    const res = await h.call("createConsumer", { as: agent, body: { name: "x" } });
    expect(res.status).toBe(403);
  });
});
