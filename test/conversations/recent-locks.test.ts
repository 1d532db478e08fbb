import { describe, expect, it } from "vitest";
import { ContainerRecentLocks } from "../../shared/adapters/container/recent-locks";
import { lockOf } from "../../shared/core/model/conversation-lock";

/** The container's memory of conversation locks: a guess that ages out, bounded in size, never shared by reference. */
const lock = (id: string, version = 1) =>
  lockOf(
    {
      id,
      type: "sms",
      state: "work_in_progress",
      active: true,
      handler: "agent",
      assignedTo: "ann",
      consumerId: "c-1",
      from: "+14155550100",
      to: "+14155550111",
      createdAt: "2026-07-15T18:00:00.000Z",
      updatedAt: "2026-07-15T18:00:00.000Z",
    },
    version,
  );

describe("the container's recent locks", () => {
  it("recalls what was remembered (a lock, or none) until it is 15 minutes old, then knows nothing", () => {
    let now = 0;
    const recent = new ContainerRecentLocks(() => now);
    expect(recent.recall("+14155550111", "+14155550100")).toBeUndefined();
    recent.remember("+14155550111", "+14155550100", lock("int_1", 2));
    recent.remember("+14155550122", "+14155550100", null);
    now = 15 * 60_000;
    expect(recent.recall("+14155550111", "+14155550100")).toEqual(lock("int_1", 2));
    expect(recent.recall("+14155550122", "+14155550100")).toBeNull();
    expect(recent.recall("+14155550111", "+14155550199")).toBeUndefined();
    now = 15 * 60_000 + 1;
    expect(recent.recall("+14155550111", "+14155550100")).toBeUndefined();
  });

  it("forgets the least recently remembered key past its size, and hands out copies", () => {
    const recent = new ContainerRecentLocks(() => 0, 60_000, 2);
    recent.remember("+1", "+9", lock("int_1"));
    recent.remember("+2", "+9", lock("int_2"));
    recent.remember("+1", "+9", lock("int_1", 2)); // used again: now the newest
    recent.remember("+3", "+9", lock("int_3"));
    expect(recent.recall("+2", "+9")).toBeUndefined();
    expect(recent.recall("+1", "+9")?.version).toBe(2);
    recent.recall("+3", "+9")!.version = 99;
    expect(recent.recall("+3", "+9")?.version).toBe(1);
  });
});
