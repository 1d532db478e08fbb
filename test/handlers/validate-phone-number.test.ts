import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, createHarness } from "../support/handler-harness";

let h: Awaited<ReturnType<typeof createHarness>>;
beforeAll(async () => {
  h = await createHarness("validate", { DEFAULT_COUNTRY: "US" });
  await h.call("createConsumer", { as: admin, body: { id: "mx-1", name: "Lupita", location: "MX" } });
  await h.call("createConsumer", { as: admin, body: { id: "nowhere", name: "No location" } });
});
afterAll(async () => h.table.drop());

const validate = (body: unknown) => h.call("validatePhoneNumber", { body });

describe("POST /api/now/initiate_message/validate_phone_number", () => {
  it("returns an E.164 number as is, source input", async () => {
    const res = await validate({ phoneNumber: "+14155550171" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: true, e164: "+14155550171", country: "US", source: "input" });
  });

  it("converts with the request country first", async () => {
    const res = await validate({ phoneNumber: "020 7946 0958", country: "GB", consumerId: "mx-1" });
    expect(res.body).toMatchObject({ valid: true, e164: "+442079460958", source: "request_country" });
  });

  it("then with the known consumer's location", async () => {
    const res = await validate({ phoneNumber: "55 1234 5678", consumerId: "mx-1" });
    expect(res.body).toMatchObject({ valid: true, e164: "+525512345678", country: "MX", source: "consumer_location" });
  });

  it("then with the default country", async () => {
    const res = await validate({ phoneNumber: "(415) 555-0171", consumerId: "nowhere" });
    expect(res.body).toMatchObject({ valid: true, e164: "+14155550171", source: "default_country" });
  });

  it("answers 200 valid:false with a reason for numbers that are not valid", async () => {
    const res = await validate({ phoneNumber: "+1 415" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: false, reason: "TOO_SHORT" });
    expect(typeof res.body.message).toBe("string");
  });

  it("answers 404 for an unknown consumer", async () => {
    const res = await validate({ phoneNumber: "4155550171", consumerId: "ghost" });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "CONSUMER_NOT_FOUND", message: "no consumer has id 'ghost'" } });
  });

  it("answers 400 for a missing or wrongly typed phoneNumber, naming the field", async () => {
    const missing = await validate({ country: "US" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe("VALIDATION_FAILED");
    expect(missing.body.error.message).toContain("phoneNumber is required");
    const wrong = await validate({ phoneNumber: 4155550171 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain("phoneNumber must be a string, got number");
  });
});
