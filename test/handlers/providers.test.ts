import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { createAdapters } from "../../shared/platform/composition-root";
import { createProvider } from "../../shared/use-cases/create-provider";
import { admin, agent, createHarness } from "../support/handler-harness";

let h: Awaited<ReturnType<typeof createHarness>>;
beforeAll(async () => {
  h = await createHarness("providers");
});
afterAll(async () => h.table.drop());

describe("providers", () => {
  it("creates a provider with its number canonicalised, and claims the number", async () => {
    const res = await h.call("createProvider", { as: admin, body: { number: "+1 (415) 555-0100", name: "Support US" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ number: "+14155550100", name: "Support US", channel: "sms", active: true });
    expect(res.body.id).toMatch(/^prv_/);

    const items = await h.table.scanAll();
    expect(items.find((i) => i.pk === "PROVIDERS" && i.sk === `PROVIDER#${res.body.id}`)).toMatchObject({ number: "+14155550100" });
    expect(items.find((i) => i.pk === "PROVIDER_NUMBER#+14155550100")).toMatchObject({ providerId: res.body.id });
  });

  it("refuses a second provider with the same number, written differently, and names the holder", async () => {
    const first = await h.call("createProvider", { as: admin, body: { number: "+442079460958", name: "UK" } });
    const before = await h.table.scanAll();
    const second = await h.call("createProvider", { as: admin, body: { number: "0044 20 7946 0958", name: "UK again" } });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: "PROVIDER_NUMBER_TAKEN", providerId: first.body.id });
    expect(await h.table.scanAll()).toHaveLength(before.length); // nothing half-written
  });

  it("holds number uniqueness under concurrent creation: exactly one wins", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => h.call("createProvider", { as: admin, body: { number: "+14155550199", name: `race ${i}` } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    const providers = (await h.table.scanAll()).filter((i) => i.itemType === "provider" && i.number === "+14155550199");
    expect(providers).toHaveLength(1);
  });

  it("refuses numbers without a country code and invalid numbers with 422 and the reason", async () => {
    const national = await h.call("createProvider", { as: admin, body: { number: "415 555 0100", name: "x" } });
    expect(national.status).toBe(422);
    expect(national.body.error.code).toBe("INVALID_PHONE_NUMBER");
    const short = await h.call("createProvider", { as: admin, body: { number: "+1415", name: "x" } });
    expect(short.status).toBe(422);
    expect(short.body.error).toMatchObject({ code: "INVALID_PHONE_NUMBER", reason: "TOO_SHORT" });
  });

  it("lists providers oldest first, for agents too", async () => {
    const res = await h.call("listProviders", { as: agent });
    expect(res.status).toBe(200);
    const numbers = res.body.items.map((p: { number: string }) => p.number);
    expect(numbers.slice(0, 2)).toEqual(["+14155550100", "+442079460958"]);
  });

  it("renames and deactivates a provider; the number cannot change", async () => {
    const created = await h.call("createProvider", { as: admin, body: { number: "+14155550142", name: "Old name" } });
    const id = created.body.id;
    const renamed = await h.call("updateProvider", { as: admin, params: { id }, body: { name: "New name", active: false } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: "New name", active: false, number: "+14155550142" });
    expect(renamed.body.updatedAt >= created.body.updatedAt).toBe(true);
    const stored = (await h.table.scanAll()).find((i) => i.sk === `PROVIDER#${id}`);
    expect(stored).toMatchObject({ name: "New name", active: false });

    const numberChange = await h.call("updateProvider", { as: admin, params: { id }, body: { number: "+14155550143" } });
    expect(numberChange.status).toBe(400);
    expect(numberChange.body.error.message).toContain("'number'");
    const empty = await h.call("updateProvider", { as: admin, params: { id }, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain("give name, active, mps, validForSeconds or sendWindow");
  });

  it("takes mps and validForSeconds on create and PATCH; null removes them; out-of-range values are 400 naming the field", async () => {
    const created = await h.call("createProvider", {
      as: admin,
      body: { number: "+14155550177", name: "10DLC", mps: 1, validForSeconds: 600 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mps: 1, validForSeconds: 600 });
    const id = created.body.id as string;

    const faster = await h.call("updateProvider", { as: admin, params: { id }, body: { mps: 2.5 } });
    expect(faster.body).toMatchObject({ mps: 2.5, validForSeconds: 600 });
    const unpaced = await h.call("updateProvider", { as: admin, params: { id }, body: { mps: null, validForSeconds: null } });
    expect(unpaced.status).toBe(200);
    expect(unpaced.body.mps).toBeUndefined();
    expect(unpaced.body.validForSeconds).toBeUndefined();
    const stored = (await h.table.scanAll()).find((i) => i.sk === `PROVIDER#${id}`)!;
    expect(stored.mps).toBeUndefined();
    expect(stored.validForSeconds).toBeUndefined();

    for (const [body, field] of [
      [{ mps: 0 }, "mps"],
      [{ mps: 1001 }, "mps"],
      [{ mps: "1" }, "mps"],
      [{ validForSeconds: 59 }, "validForSeconds"],
      [{ validForSeconds: 259_201 }, "validForSeconds"],
      [{ validForSeconds: 90.5 }, "validForSeconds"],
    ] as const) {
      const before = await h.table.scanAll();
      const refused = await h.call("updateProvider", { as: admin, params: { id }, body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.message).toContain(field);
      expect(await h.table.scanAll()).toEqual(before);
    }
    const refusedCreate = await h.call("createProvider", { as: admin, body: { number: "+14155550178", name: "x", mps: -1 } });
    expect(refusedCreate.status).toBe(400);
  });

  it("takes a send window of its own (HH:MM-HH:MM) on create and PATCH; null goes back to the service's; a bad one is 400", async () => {
    const created = await h.call("createProvider", {
      as: admin,
      body: { number: "+14155550179", name: "Day line", sendWindow: "09:00-17:30" },
    });
    expect(created.status).toBe(201);
    expect(created.body.sendWindow).toBe("09:00-17:30");
    const id = created.body.id as string;
    const cleared = await h.call("updateProvider", { as: admin, params: { id }, body: { sendWindow: null } });
    expect(cleared.body.sendWindow).toBeUndefined();
    for (const sendWindow of ["21:00-08:00", "9-17", "09:00-25:00", ""]) {
      const before = await h.table.scanAll();
      const refused = await h.call("updateProvider", { as: admin, params: { id }, body: { sendWindow } });
      expect(refused.status, sendWindow).toBe(400);
      expect(refused.body.error.message).toContain("sendWindow");
      expect(await h.table.scanAll()).toEqual(before);
    }
  });

  it("answers 404 for an unknown provider and writes nothing", async () => {
    const before = await h.table.scanAll();
    const res = await h.call("updateProvider", { as: admin, params: { id: "prv_missing" }, body: { active: true } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("PROVIDER_NOT_FOUND");
    expect(await h.table.scanAll()).toEqual(before);
  });

  it("lets only admins create or change providers", async () => {
    const res = await h.call("createProvider", { as: agent, body: { number: "+14155550111", name: "x" } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
    const patch = await h.call("updateProvider", { as: agent, params: { id: "prv_x" }, body: { active: false } });
    expect(patch.status).toBe(403);
  });
});

describe("the provider list a container reuses (PROVIDER_CACHE)", () => {
  it("reads the list once per TTL; a write through this process drops it; another container's write shows after the TTL", async () => {
    const adaptersWith = (providerCacheMs: number) => {
      const adapters = createAdapters({
        tableName: h.table.tableName,
        dynamoDbEndpoint: h.table.endpoint,
        defaultCountry: "US",
        providerCacheMs,
      });
      const queries: string[] = [];
      adapters.documentClient.middlewareStack.add(
        (next, context) => async (args) => {
          queries.push(String(context.commandName));
          return next(args);
        },
        { step: "initialize" },
      );
      return { adapters, queries };
    };
    const here = adaptersWith(400);
    const first = await here.adapters.providers.list();
    await here.adapters.providers.list();
    expect(here.queries).toEqual(["QueryCommand"]);

    // A write through any store of this process: the next list reads again and sees it.
    await createProvider({ ...here.adapters }, { number: "+14155550181", name: "Cache line" });
    here.queries.length = 0;
    const afterCreate = await here.adapters.providers.list();
    expect(here.queries).toEqual(["QueryCommand"]);
    expect(afterCreate.map((provider) => provider.number)).toEqual([...first.map((provider) => provider.number), "+14155550181"]);

    // Another container (a raw write this process does not see): stale until the TTL runs out.
    const line = afterCreate.find((provider) => provider.number === "+14155550181")!;
    await h.table.documentClient.send(
      new UpdateCommand({
        TableName: h.table.tableName,
        Key: { pk: "PROVIDERS", sk: `PROVIDER#${line.id}` },
        UpdateExpression: "SET active = :false",
        ExpressionAttributeValues: { ":false": false },
      }),
    );
    expect((await here.adapters.providers.list()).find((provider) => provider.id === line.id)?.active).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await here.adapters.providers.list()).find((provider) => provider.id === line.id)?.active).toBe(false);

    // PROVIDER_CACHE=0: every list is a read.
    const uncached = adaptersWith(0);
    await uncached.adapters.providers.list();
    await uncached.adapters.providers.list();
    expect(uncached.queries).toEqual(["QueryCommand", "QueryCommand"]);
  });
});
