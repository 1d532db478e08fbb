import { describe, expect, it } from "vitest";
import {
  dryRunLine,
  encodingHint,
  ongoingLine,
  recipientTime,
  refusalLines,
  segmentLine,
  sendWindowWarning,
  sentLine,
  windowClosed,
} from "../../console/compose-lines";
import type { DryRunAnswer } from "../../console/wire";

/** What Compose SMS says, word for word: the lines the agent reads before pressing send. */
const jo = { name: "Jo Bloggs" };
const base: Omit<DryRunAnswer, "outcome"> = {
  dryRun: true,
  from: "+14155550100",
  to: "+14155550171",
  profile: { change: "keep" },
  message: { encoding: "GSM-7", segments: 1, characters: 5 },
  sendWindow: { open: true, timeZone: "America/Los_Angeles", timeZoneSource: "number_prefix" as const },
};
const running = {
  id: "int_9",
  type: "sms" as const,
  state: "work_in_progress" as const,
  from: "+14155550100",
  to: "+14155550171",
  consumerId: "cust-1001",
};

describe("Compose SMS lines", () => {
  it("counts as the service counts: encoding, characters as the encoding counts them, segments", () => {
    expect(segmentLine("")).toBe("GSM-7 · 0 characters · 1 segment (up to 160 in one)");
    expect(segmentLine("Hi Jo, your parcel ships today.")).toBe("GSM-7 · 31 characters · 1 segment (up to 160 in one)");
    // € is two septets (the extension table), so it counts two of the 160.
    expect(segmentLine("Price: 5€")).toBe("GSM-7 · 10 characters · 1 segment (up to 160 in one)");
    expect(segmentLine("a".repeat(161))).toBe("GSM-7 · 161 characters · 2 segments (153 per segment when split)");
    // An emoji is two UTF-16 units of the 70.
    expect(segmentLine("Friday works. 😀")).toBe("UCS-2 · 16 characters · 1 segment (up to 70 in one)");
    expect(segmentLine("😀".repeat(36))).toBe("UCS-2 · 72 characters · 2 segments (67 per segment when split)");
    expect(encodingHint("Friday works. 😀")).toBe(
      "“😀” is not in the GSM alphabet, so the message goes as UCS-2 (70 characters a segment)",
    );
    expect(encodingHint("plain")).toBeUndefined();
  });

  it("says what the send will do, outcome by outcome", () => {
    expect(dryRunLine({ ...base, outcome: "created" }, jo, "ann")).toBe(
      "This will start a new conversation with Jo Bloggs, from +14155550100 to +14155550171. 1 segment, GSM-7.",
    );
    const mine = { ...running, handler: "agent" as const, assignedTo: "ann" };
    expect(dryRunLine({ ...base, outcome: "injected", interaction: mine }, jo, "ann")).toBe(
      "This will join your ongoing conversation int_9. 1 segment, GSM-7.",
    );
    expect(dryRunLine({ ...base, outcome: "injected", interaction: { ...mine, assignedTo: "bob" } }, jo, "ann")).toBe(
      "This will join bob's ongoing conversation int_9 (it stays theirs). 1 segment, GSM-7.",
    );
    expect(dryRunLine({ ...base, outcome: "injected", interaction: { ...mine, handler: "queue", assignedTo: null } }, jo, "ann")).toBe(
      "This will join the queued ongoing conversation int_9 and assign it to you. 1 segment, GSM-7.",
    );
    expect(
      dryRunLine(
        {
          ...base,
          outcome: "replaced_virtual_agent",
          interaction: { ...mine, handler: "virtual_agent", assignedTo: null },
          closedInteractionId: "int_9",
        },
        jo,
        "ann",
      ),
    ).toBe("This will replace the virtual agent's conversation int_9: it closes and a new one is assigned to you. 1 segment, GSM-7.");
    expect(
      dryRunLine(
        {
          ...base,
          outcome: "replaced_other_consumer",
          closedInteractionId: "int_9",
          profile: { change: "move", currentConsumerId: "cust-2002" },
          message: { encoding: "UCS-2", segments: 2, characters: 80 },
        },
        jo,
        "ann",
        (id) => (id === "cust-2002" ? "Sam Lee" : undefined),
      ),
    ).toBe(
      "This will close conversation int_9 of another customer (Sam Lee) and start a new one with Jo Bloggs. " +
        "+14155550171 will then belong to Jo Bloggs instead of Sam Lee. 2 segments, UCS-2.",
    );
  });

  it("shows the ongoing conversation compose options found", () => {
    expect(ongoingLine({ ...running, handler: "virtual_agent", assignedTo: null }, "ann")).toBe(
      "Ongoing conversation int_9 (the virtual agent's), from +14155550100 to +14155550171: a message from this pair lands in it.",
    );
    expect(ongoingLine({ ...running, handler: "agent", assignedTo: "ann" }, "ann")).toContain("(yours)");
    expect(ongoingLine({ ...running, handler: "queue", assignedTo: null }, "ann")).toContain("(in the queue)");
  });

  it("warns when the send window is closed, and says when it opens in the customer's time", () => {
    const now = new Date("2026-12-02T22:00:00Z");
    expect(sendWindowWarning({ open: true, timeZone: "Europe/Paris", timeZoneSource: "consumer" }, now)).toBeUndefined();
    expect(sendWindowWarning(undefined, now)).toBeUndefined();
    expect(
      sendWindowWarning(
        { open: false, timeZone: "Etc/GMT-5", timeZoneSource: "consumer", nextAllowedAt: "2026-12-03T08:00:00+05:00" },
        now,
      ),
    ).toEqual({
      kind: "send_window",
      text: "Outside the send window in the customer's time (Etc/GMT-5): a send now is refused and nothing is sent. It opens at 2026-12-03 08:00 (+05:00, Etc/GMT-5).",
    });
    expect(
      sendWindowWarning(
        {
          open: false,
          timeZone: "Etc/GMT-5",
          timeZoneSource: "consumer",
          nextAllowedAt: "2026-12-03T08:00:00+05:00",
          replyGraceUntil: "2026-12-02T22:30:00.000Z",
        },
        now,
      )?.kind,
    ).toBe("reply_grace");
    expect(recipientTime("2026-12-03T08:00:00Z", "UTC")).toBe("2026-12-03 08:00 (UTC, UTC)");
  });

  it("offers to send later only while a send now is refused for the window", () => {
    const now = new Date("2026-12-02T22:00:00Z");
    const closed = { open: false, timeZone: "Etc/GMT-5", timeZoneSource: "consumer" as const, nextAllowedAt: "2026-12-03T08:00:00+05:00" };
    expect(windowClosed(closed, now)).toBe(true);
    expect(windowClosed({ ...closed, replyGraceUntil: "2026-12-02T22:30:00.000Z" }, now)).toBe(false);
    expect(windowClosed({ ...closed, replyGraceUntil: "2026-12-02T21:30:00.000Z" }, now)).toBe(true);
    expect(windowClosed({ open: true, timeZone: "Etc/GMT-5", timeZoneSource: "consumer" }, now)).toBe(false);
    expect(windowClosed(undefined, now)).toBe(false);
    const later = {
      ...base,
      outcome: "created" as const,
      sendWindow: closed,
      wouldSchedule: true as const,
      scheduledFor: "2026-12-03T03:00:00.000Z",
    };
    expect(dryRunLine(later, jo, "ann")).toBe(
      "This will start a new conversation with Jo Bloggs, from +14155550100 to +14155550171. 1 segment, GSM-7. " +
        "The customer's send window is closed: Send SMS is refused, and Send when the window opens schedules the message for when it opens.",
    );
  });

  it("says what came of a send: sent, scheduled, or the refusal with when the window opens", () => {
    const message = { segments: 2, status: "queued" } as Parameters<typeof sentLine>[0]["message"];
    expect(sentLine({ outcome: "replaced_virtual_agent", message })).toBe("Sent (replaced virtual agent): 2 segments, now queued.");
    expect(sentLine({ outcome: "created", message: { ...message, segments: 1, status: "scheduled" } })).toBe(
      "Scheduled (created): 1 segment, to go when the customer's send window opens.",
    );
    const said = "+14155550199 may only be sent to between 08:00 and 21:00 in Etc/GMT-5; nothing was sent";
    expect(
      refusalLines({
        code: "OUTSIDE_SEND_WINDOW",
        message: said,
        details: { nextAllowedAt: "2026-12-03T08:00:00+05:00", timeZone: "Etc/GMT-5" },
      }),
    ).toEqual([
      `${said} (OUTSIDE_SEND_WINDOW)`,
      "The window opens at 2026-12-03 08:00 (+05:00, Etc/GMT-5): Send when the window opens schedules it for then.",
    ]);
    expect(refusalLines({ code: "RECIPIENT_OPTED_OUT", message: "+14155550171 opted out", details: {} })).toEqual([
      "+14155550171 opted out (RECIPIENT_OPTED_OUT)",
    ]);
  });
});
