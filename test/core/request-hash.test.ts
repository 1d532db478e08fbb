import { describe, expect, it } from "vitest";
import { byCodeUnits } from "../../shared/core/rules/code-unit-order";
import { hashRequest } from "../../shared/use-cases/initiate-message";

describe("the hash stored with an Idempotency-Key", () => {
  const request = {
    to: "+447700900123",
    message: "Your parcel is here",
    consumerId: "cust-1001",
    from: "+14155550100",
    originInteractionId: "int_1",
    confirmReassociation: true,
    dryRun: false,
    scheduleIfOutsideWindow: true,
  };

  it("is the value releases before it stored (keys were ordered by localeCompare then), so a key sent across a deploy still replays", () => {
    expect(hashRequest(request)).toBe("f5314f85560b4e534d618dbddd5cb295c4beca0a1527b3de1a7d3d52133028cc");
  });

  it("does not depend on the order of the body's keys", () => {
    const reversed = Object.fromEntries(Object.entries(request).reverse()) as typeof request;
    expect(hashRequest(reversed)).toBe(hashRequest(request));
    expect(hashRequest({ ...request, message: "Your parcel is here." })).not.toBe(hashRequest(request));
  });
});

describe("byCodeUnits", () => {
  it("orders as DynamoDB orders sort keys: by code unit, upper case before lower case, ISO instants by time", () => {
    expect(["b", "B", "a", "_", "A"].sort(byCodeUnits)).toEqual(["A", "B", "_", "a", "b"]);
    expect(["2026-12-02T10:00:00.000Z", "2026-01-31T23:59:59.999Z", "2026-12-02T09:59:59.999Z"].sort(byCodeUnits)).toEqual([
      "2026-01-31T23:59:59.999Z",
      "2026-12-02T09:59:59.999Z",
      "2026-12-02T10:00:00.000Z",
    ]);
    expect(byCodeUnits("x", "x")).toBe(0);
  });
});
