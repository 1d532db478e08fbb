import { describe, expect, it } from "vitest";
import { HmacNumberHasher } from "../../shared/adapters/secrets/hmac-number-hasher";

const key = Buffer.from("k".repeat(32));

describe("the keyed hash's key", () => {
  it("prefetched at the cold start, is loaded once and serves the first hash", async () => {
    let loads = 0;
    const hasher = new HmacNumberHasher(async () => (loads++, key));
    hasher.prefetch();
    expect(loads).toBe(1);
    const hash = await hasher.hash("+14155550171");
    expect(loads).toBe(1);
    expect(hash).toBe(await new HmacNumberHasher(async () => key).hash("+14155550171"));
  });

  it("after a failed prefetch, is loaded again by the first hash (which fails only if that load fails too)", async () => {
    let loads = 0;
    const hasher = new HmacNumberHasher(async () => {
      loads++;
      if (loads === 1) throw new Error("secret unreachable");
      return key;
    });
    hasher.prefetch();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(hasher.hash("+14155550171")).resolves.toMatch(/^[0-9a-f]{64}$/);
    expect(loads).toBe(2);
  });
});
