import type { TestTable } from "./test-table";

/**
 * The database rules, checked over the whole table (a Scan): what must hold after any sequence of
 * requests, however concurrent. Returns the violations, readable; empty when all hold.
 * - each conversation lock points at an active SMS interaction with the same numbers, and each
 *   active SMS interaction has its lock;
 * - each number has at most one active profile, and the active-profile pointer agrees with it;
 * - every message and participant belongs to an existing interaction;
 * - each inbound message id is stored once.
 */
export async function invariantViolations(table: TestTable): Promise<string[]> {
  const items = await table.scanAll();
  const problems: string[] = [];
  const interactions = new Map(items.filter((i) => i.itemType === "interaction").map((i) => [String(i.id), i]));
  const locks = items.filter((i) => i.itemType === "conversationLock");

  const lockByKey = new Map<string, Record<string, unknown>>();
  for (const lock of locks) {
    const key = `${lock.providerNumber}|${lock.customerNumber}`;
    lockByKey.set(key, lock);
    const interaction = interactions.get(String(lock.interactionId));
    if (!interaction) problems.push(`lock ${key} points at missing interaction ${lock.interactionId}`);
    else if (interaction.active !== true) problems.push(`lock ${key} points at closed interaction ${lock.interactionId}`);
    else if (interaction.from !== lock.providerNumber || interaction.to !== lock.customerNumber)
      problems.push(`lock ${key} and interaction ${lock.interactionId} disagree on numbers`);
    else if (
      interaction.handler !== lock.handler ||
      interaction.consumerId !== lock.consumerId ||
      interaction.assignedTo !== lock.assignedTo
    ) {
      problems.push(`lock ${key} and interaction ${lock.interactionId} disagree on handler, consumer or assignee`);
    }
  }
  const activeSmsByKey = new Map<string, string[]>();
  for (const interaction of interactions.values()) {
    if (interaction.type !== "sms" || interaction.active !== true) continue;
    const key = `${interaction.from}|${interaction.to}`;
    activeSmsByKey.set(key, [...(activeSmsByKey.get(key) ?? []), String(interaction.id)]);
  }
  for (const [key, ids] of activeSmsByKey) {
    if (ids.length > 1) problems.push(`conversation key ${key} has ${ids.length} active SMS interactions: ${ids.join(", ")}`);
    if (lockByKey.get(key)?.interactionId !== ids[0] || ids.length > 1) {
      if (!lockByKey.has(key)) problems.push(`active SMS interaction ${ids[0]} on ${key} has no lock`);
    }
  }

  const profiles = items.filter((i) => i.itemType === "profile");
  const activeByNumber = new Map<string, Record<string, unknown>[]>();
  for (const profile of profiles.filter((p) => p.active === true)) {
    const number = String(profile.phoneNumber);
    activeByNumber.set(number, [...(activeByNumber.get(number) ?? []), profile]);
  }
  for (const [number, active] of activeByNumber) {
    if (active.length > 1) problems.push(`${number} has ${active.length} active profiles`);
  }
  for (const pointer of items.filter((i) => i.itemType === "activeProfile")) {
    const number = String(pointer.pk).replace(/^PHONE#/, "");
    const active = activeByNumber.get(number) ?? [];
    if (active.length !== 1 || active[0]!.id !== pointer.profileId || active[0]!.consumerId !== pointer.consumerId) {
      problems.push(`${number}: active-profile pointer (${pointer.profileId}) does not match its active profile history`);
    }
  }
  for (const number of activeByNumber.keys()) {
    if (!items.some((i) => i.itemType === "activeProfile" && i.pk === `PHONE#${number}`))
      problems.push(`${number} has an active profile but no pointer`);
  }

  for (const child of items.filter((i) => i.itemType === "message" || i.itemType === "participant")) {
    const id = String(child.pk).replace(/^INTERACTION#/, "");
    if (!interactions.has(id)) problems.push(`${child.itemType} ${child.sk} belongs to missing interaction ${id}`);
  }
  const inboundIds = items.filter((i) => i.itemType === "message" && i.direction === "inbound").map((i) => String(i.providerMessageId));
  const duplicates = inboundIds.filter((id, index) => inboundIds.indexOf(id) !== index);
  if (duplicates.length > 0) problems.push(`inbound messages stored more than once: ${[...new Set(duplicates)].join(", ")}`);
  return problems;
}
