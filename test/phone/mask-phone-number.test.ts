import { describe, it, expect } from "vitest";
import { maskDigitRuns, maskPhoneNumber, redactPersonalData } from "../../shared/core/rules/mask-phone-number";

describe("maskPhoneNumber", () => {
  it("keeps the +, the first 4 digits and the last 2", () => {
    expect(maskPhoneNumber("+14155550171")).toBe("+1415•••••71");
    expect(maskPhoneNumber("+442079460958")).toBe("+4420••••••58");
    expect(maskPhoneNumber("14155550171")).toBe("1415•••••71");
  });

  it("keeps formatting and masks only digits", () => {
    expect(maskPhoneNumber("+1 (415) 555-0171")).toBe("+1 (415) •••-••71");
  });

  it("with 7 digits masks the middle one", () => {
    expect(maskPhoneNumber("1234567")).toBe("1234•67");
  });

  it("masks all but the last 2 digits of short input", () => {
    expect(maskPhoneNumber("123456")).toBe("••••56");
    expect(maskPhoneNumber("+123")).toBe("+•23");
    expect(maskPhoneNumber("12")).toBe("12");
    expect(maskPhoneNumber("")).toBe("");
    expect(maskPhoneNumber("no digits")).toBe("no digits");
  });

  it("never shows more than 6 digits of a long number", () => {
    const masked = maskPhoneNumber("+4915123456789012");
    expect(masked.replace(/\D/g, "")).toHaveLength(6);
    expect(masked).toBe("+4915••••••••••12");
  });
});

describe("maskDigitRuns", () => {
  it("masks runs of 7 or more digits, with separators and a +", () => {
    expect(maskDigitRuns("call +1 415-555-0171 now")).toBe("call +1 415-•••-••71 now");
    expect(maskDigitRuns("id 12345678")).toBe("id 1234••78");
  });

  it("leaves digits inside ids alone, so a log line can still be searched for its interaction", () => {
    expect(maskDigitRuns("joined int_7371883bc48f446ca6ea")).toBe("joined int_7371883bc48f446ca6ea");
    expect(maskDigitRuns("request 1234567abcdef and abc1234567")).toBe("request 1234567abcdef and abc1234567");
    // A number after a key's separator or a + is still a number.
    expect(maskDigitRuns("PROFILE#+14155550171 to=+14155550171 x+14155550171")).toBe("PROFILE#+1415•••••71 to=+1415•••••71 x+1415•••••71");
  });

  it("leaves shorter runs and ISO dates alone", () => {
    expect(maskDigitRuns("order 123456 of 2024-05-01T12:34:56.789Z")).toBe("order 123456 of 2024-05-01T12:34:56.789Z");
  });
});

describe("redactPersonalData", () => {
  it("masks every phone key, strings and arrays of strings", () => {
    const keys = [
      "phoneNumber",
      "number",
      "e164",
      "to",
      "from",
      "originationNumber",
      "destinationNumber",
      "defaultSendTo",
      "defaultSendFrom",
    ];
    const input = Object.fromEntries(keys.map((key) => [key, "+14155550171"]));
    expect(redactPersonalData(input)).toEqual(Object.fromEntries(keys.map((key) => [key, "+1415•••••71"])));
    expect(redactPersonalData({ phoneNumbers: ["+14155550171", "+442079460958"], sendTo: ["+14155550171"] })).toEqual({
      phoneNumbers: ["+1415•••••71", "+4420••••••58"],
      sendTo: ["+1415•••••71"],
    });
  });

  it("masks short values under phone keys too", () => {
    expect(redactPersonalData({ to: "12345" })).toEqual({ to: "•••45" });
  });

  it("replaces message text with its length", () => {
    expect(redactPersonalData({ message: "Hello Ana", body: "hi", messageBody: "👋 there" })).toEqual({
      message: "[redacted 9 chars]",
      body: "[redacted 2 chars]",
      messageBody: "[redacted 7 chars]",
    });
  });

  it("copies an object under a message key like any other", () => {
    expect(redactPersonalData({ message: { id: "m-1", status: "sent", to: "+14155550171", body: "secret" } })).toEqual({
      message: { id: "m-1", status: "sent", to: "+1415•••••71", body: "[redacted 6 chars]" },
    });
  });

  it("masks digit runs in any other string, deep inside objects and arrays", () => {
    const input = {
      interaction: {
        id: "i-1",
        notes: ["customer on +44 20 7946 0958", "short 12345"],
        createdAt: "2024-05-01T12:34:56.789Z",
      },
    };
    expect(redactPersonalData(input)).toEqual({
      interaction: {
        id: "i-1",
        notes: ["customer on +44 20 •••• ••58", "short 12345"],
        createdAt: "2024-05-01T12:34:56.789Z",
      },
    });
  });

  it("matches keys in any case", () => {
    expect(redactPersonalData({ PhoneNumber: "+14155550171", Body: "hey" })).toEqual({
      PhoneNumber: "+1415•••••71",
      Body: "[redacted 3 chars]",
    });
  });

  it("leaves other values as they are, and does not change its input", () => {
    const input = { count: 3, active: true, nothing: null, missing: undefined, at: new Date(0), to: "+14155550171" };
    const copy = redactPersonalData(input) as Record<string, unknown>;
    expect(copy).toEqual({ count: 3, active: true, nothing: null, missing: undefined, at: new Date(0), to: "+1415•••••71" });
    expect(copy).not.toBe(input);
    expect(copy.at).not.toBe(input.at);
    expect(input.to).toBe("+14155550171");
    expect(redactPersonalData(null)).toBeNull();
    expect(redactPersonalData(undefined)).toBeUndefined();
    expect(redactPersonalData(42)).toBe(42);
    expect(redactPersonalData("+14155550171")).toBe("+1415•••••71");
  });

  it("masks a phone number given as a JS number", () => {
    expect(redactPersonalData({ number: 14155550171, to: 42 })).toEqual({ number: "1415•••••71", to: 42 });
  });

  it("cuts cycles and copies shared objects", () => {
    const shared = { to: "+14155550171" };
    const looped: Record<string, unknown> = { a: shared, b: shared };
    looped.self = looped;
    expect(redactPersonalData(looped)).toEqual({ a: { to: "+1415•••••71" }, b: { to: "+1415•••••71" }, self: "[circular]" });
  });

  it("turns errors into plain objects with digit runs masked", () => {
    const error = Object.assign(new Error("no consumer for +14155550171"), { code: "NOT_FOUND", to: "+14155550171" });
    const copy = redactPersonalData({ error }) as { error: Record<string, unknown> };
    expect(copy.error).toMatchObject({ name: "Error", message: "no consumer for +1415•••••71", code: "NOT_FOUND", to: "+1415•••••71" });
    expect(String(copy.error.stack)).not.toContain("4155550171");
  });
});
