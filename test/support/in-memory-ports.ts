import type { OutcomeMetrics } from "../../shared/core/ports/outcome-metrics";
import { defaultReplyGraceMs } from "../../shared/core/rules/send-window";
import type { SendWindow } from "../../shared/core/model/send-window";
import type { OutcomeMetric } from "../../shared/core/model/outcome-metric";
import type { ActiveProfileRef, ChannelUserProfile } from "../../shared/core/model/channel-user-profile";
import type { Consumer } from "../../shared/core/model/consumer";
import { lockOf, type ConversationLock } from "../../shared/core/model/conversation-lock";
import type { Interaction, InteractionHandler, InteractionState, Participant } from "../../shared/core/model/interaction";
import type { Message, MessageRef, StoredMessage } from "../../shared/core/model/message";
import type { Provider } from "../../shared/core/model/provider";
import type { CloseReason } from "../../shared/core/model/service-event";
import type { Clock, IdGenerator } from "../../shared/core/ports/clock-and-ids";
import type { ComposeDefaultsExtension } from "../../shared/core/ports/compose-defaults-extension";
import type { ConsumerStore } from "../../shared/core/ports/consumer-store";
import type {
  ApplyResult,
  CloseOptions,
  ConversationStore,
  FoundState,
  IdempotencyRecord,
  InboundPlan,
  InitiationPlan,
  NumberState,
} from "../../shared/core/ports/conversation-store";
import type { InteractionPage, InteractionStore } from "../../shared/core/ports/interaction-store";
import type { AsideReceipt, MessageStore, ReceiptApplied, ReceiptChange, RetryClaim } from "../../shared/core/ports/message-store";
import type { ProfileStore } from "../../shared/core/ports/profile-store";
import type { CreateProviderResult, ProviderStore } from "../../shared/core/ports/provider-store";
import { retryMove, statusesThatMayBecome } from "../../shared/core/rules/message-status";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { ContainerRecentLocks } from "../../shared/adapters/container/recent-locks";

/**
 * In-memory fakes of the core ports, for fast use-case tests. They share one `World` (what the
 * single table holds), so each sees the others' writes, and they keep the DynamoDB adapters'
 * contracts (shared/adapters/dynamo/*.ts): every conditional write re-checks its condition and
 * writes nothing when it fails; a transaction (`applyInitiation`, `applyInbound`,
 * `closeInteraction`) checks every condition first and then writes all or nothing, and a cancelled
 * one answers the same `ApplyResult` as the adapter (same priority of reasons, with the item as
 * stored). Values are copied on the way in and out, as a database would: a caller never holds a
 * reference into the world.
 *
 * Races are simulated deterministically with hooks: `beforeNextApply(fn)` runs `fn` (which may
 * call any port or use case) inside the next transaction, after the caller's reads and before the
 * transaction's checks. A hook that returns an `ApplyResult` makes that transaction answer it and
 * write nothing (e.g. `{ ok: false, failed: "conflict" }`, a TransactionConflict).
 */

const copy = <T>(value: T): T => structuredClone(value);
const lockKey = (customerNumber: string, providerNumber: string) => `${customerNumber}|${providerNumber}`;
const messageKey = (createdAt: string, messageId: string) => `${createdAt}#${messageId}`;

export interface OptOutRecord {
  customerNumber: string;
  providerNumber: string;
  optedOutAt: string;
  /** The keyword text (first 20 characters), or the source (e.g. "carrier"), as the adapter stores it. */
  keyword: string;
}

/** Everything the table would hold, one map per item type. Read it in assertions; write it only to seed. */
export class World {
  readonly consumers = new Map<string, Consumer>();
  /** Customer number → consumer id → the link ("consumer X lists this number"). */
  readonly consumerPhones = new Map<string, Map<string, { consumerId: string; createdAt: string }>>();
  readonly providers = new Map<string, Provider>();
  /** Send-from number → id of the provider holding it. */
  readonly providerNumbers = new Map<string, string>();
  /** Customer number → its active-profile pointer. */
  readonly activeProfiles = new Map<string, ActiveProfileRef>();
  /** Customer number → every profile it has had (active and history). */
  readonly profiles = new Map<string, ChannelUserProfile[]>();
  readonly interactions = new Map<string, Interaction>();
  /** Interaction id → agent id → participant. */
  readonly participants = new Map<string, Map<string, Participant>>();
  /** Interaction id → `${createdAt}#${id}` → message. */
  readonly messages = new Map<string, Map<string, StoredMessage>>();
  /** Outbound message id → where it is (written with outbound messages only, as `messageById`). */
  readonly messageIndex = new Map<string, MessageRef>();
  /** `${customer}|${provider}` → lock. */
  readonly locks = new Map<string, ConversationLock>();
  /** `${customer}|${provider}` → opt-out. */
  readonly optOuts = new Map<string, OptOutRecord>();
  /** "customer|provider" → when the customer last wrote on that key. */
  readonly lastInbound = new Map<string, string>();
  /** Inbound message id → the message it was stored as. */
  readonly inboundIds = new Map<string, { interactionId: string; messageId: string }>();
  /** `${agentId}#${key}` → record. */
  readonly idempotency = new Map<string, IdempotencyRecord>();
  readonly receiptsAside: AsideReceipt[] = [];

  /** Calls per port operation (e.g. `readNumberState`): what a use case asked of the stores. */
  readonly calls = new Map<string, number>();

  count(operation: string): number {
    return this.calls.get(operation) ?? 0;
  }

  /** A deep copy of every item, to compare before and after ("nothing was written"). */
  snapshot() {
    const { calls: _calls, ...items } = this;
    return copy(items);
  }

  /** The stored messages of an interaction, oldest first. */
  messagesOf(interactionId: string): StoredMessage[] {
    return [...(this.messages.get(interactionId) ?? new Map<string, StoredMessage>()).entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, message]) => copy(message));
  }

  /** Every stored message, in no particular interaction order. */
  allMessages(): StoredMessage[] {
    return [...this.messages.keys()].flatMap((id) => this.messagesOf(id));
  }

  lockOf(customerNumber: string, providerNumber: string): ConversationLock | undefined {
    const lock = this.locks.get(lockKey(customerNumber, providerNumber));
    return lock ? copy(lock) : undefined;
  }

  profilesOf(customerNumber: string): ChannelUserProfile[] {
    return copy(this.profiles.get(customerNumber) ?? []);
  }

  /** Active SMS interactions on a conversation key (the invariant: at most one). */
  activeSmsOn(customerNumber: string, providerNumber: string): Interaction[] {
    return [...this.interactions.values()]
      .filter((i) => i.type === "sms" && i.active && i.to === customerNumber && i.from === providerNumber)
      .map(copy);
  }

  /**
   * What the desk's routing would do to an active SMS interaction (move it to the queue, hand it to
   * an agent): the interaction and its lock change together, and the lock's version moves on.
   */
  route(interactionId: string, change: { handler: InteractionHandler; state: InteractionState; assignedTo: string | null }): void {
    const interaction = this.interactions.get(interactionId);
    if (!interaction?.active || interaction.type !== "sms") throw new Error(`no active SMS interaction ${interactionId}`);
    Object.assign(interaction, change);
    const lock = this.locks.get(lockKey(interaction.to!, interaction.from!))!;
    Object.assign(lock, change, { version: lock.version + 1 });
  }

  /** The rules the database keeps (test/support/table-invariants.ts), over the world: empty when all hold. */
  invariantViolations(): string[] {
    const problems: string[] = [];
    for (const [key, lock] of this.locks) {
      const interaction = this.interactions.get(lock.interactionId);
      if (!interaction) problems.push(`lock ${key} points at missing interaction ${lock.interactionId}`);
      else if (!interaction.active) problems.push(`lock ${key} points at closed interaction ${lock.interactionId}`);
      else if (lockKey(interaction.to!, interaction.from!) !== key)
        problems.push(`lock ${key} and interaction ${lock.interactionId} disagree on numbers`);
      else if (
        interaction.handler !== lock.handler ||
        interaction.consumerId !== lock.consumerId ||
        interaction.assignedTo !== lock.assignedTo ||
        interaction.state !== lock.state
      ) {
        problems.push(`lock ${key} and interaction ${lock.interactionId} disagree on handler, state, consumer or assignee`);
      }
    }
    const activeByKey = new Map<string, string[]>();
    for (const interaction of this.interactions.values()) {
      if (interaction.type !== "sms" || !interaction.active) continue;
      const key = lockKey(interaction.to!, interaction.from!);
      activeByKey.set(key, [...(activeByKey.get(key) ?? []), interaction.id]);
    }
    for (const [key, ids] of activeByKey) {
      if (ids.length > 1) problems.push(`conversation key ${key} has ${ids.length} active SMS interactions`);
      if (!this.locks.has(key)) problems.push(`active SMS interaction ${ids[0]} on ${key} has no lock`);
    }
    for (const [number, profiles] of this.profiles) {
      const active = profiles.filter((p) => p.active);
      const pointer = this.activeProfiles.get(number);
      if (active.length > 1) problems.push(`${number} has ${active.length} active profiles`);
      if (active.length === 1 && (!pointer || pointer.profileId !== active[0]!.id || pointer.consumerId !== active[0]!.consumerId)) {
        problems.push(`${number}: active-profile pointer does not match its active profile`);
      }
      if (active.length === 0 && pointer) problems.push(`${number}: pointer without an active profile`);
    }
    for (const id of [...this.messages.keys(), ...this.participants.keys()]) {
      if (!this.interactions.has(id)) problems.push(`messages or participants of missing interaction ${id}`);
    }
    const inbound = this.allMessages()
      .filter((m) => m.direction === "inbound")
      .map((m) => m.providerMessageId);
    if (new Set(inbound).size !== inbound.length) problems.push("an inbound message is stored more than once");
    return problems;
  }

  // ---- writes shared by the stores (no checks: callers check first) ----

  putInteraction(interaction: Interaction): void {
    this.interactions.set(interaction.id, copy(interaction));
  }

  putMessage(message: Message, withIndex: boolean): void {
    let messages = this.messages.get(message.interactionId);
    if (!messages) this.messages.set(message.interactionId, (messages = new Map()));
    messages.set(messageKey(message.createdAt, message.id), copy(message));
    if (withIndex)
      this.messageIndex.set(message.id, { interactionId: message.interactionId, messageId: message.id, createdAt: message.createdAt });
  }

  putLock(interaction: Interaction, version: number): void {
    this.locks.set(lockKey(interaction.to!, interaction.from!), lockOf(interaction, version));
  }

  putProfile(profile: ChannelUserProfile, pointer: boolean): void {
    const history = this.profiles.get(profile.phoneNumber) ?? [];
    this.profiles.set(profile.phoneNumber, [
      ...history.filter((p) => !(p.id === profile.id && p.createdAt === profile.createdAt)),
      copy(profile),
    ]);
    if (pointer)
      this.activeProfiles.set(profile.phoneNumber, { profileId: profile.id, consumerId: profile.consumerId, createdAt: profile.createdAt });
  }

  closeInteractionItem(interactionId: string, state: string, now: string, reason: CloseReason): void {
    const interaction = this.interactions.get(interactionId)!;
    Object.assign(interaction, { state, active: false, closedAt: now, updatedAt: now, closedReason: reason });
  }

  touchInteraction(interaction: Interaction, assign: boolean): void {
    const stored = this.interactions.get(interaction.id)!;
    stored.updatedAt = interaction.updatedAt;
    stored.lastActivityAt = interaction.updatedAt;
    if (assign) Object.assign(stored, { handler: interaction.handler, state: interaction.state, assignedTo: interaction.assignedTo });
  }

  getMessage(ref: MessageRef): StoredMessage | undefined {
    return this.messages.get(ref.interactionId)?.get(messageKey(ref.createdAt, ref.messageId));
  }
}

/** A hook run inside the next transaction of its kind; returning an ApplyResult makes the transaction answer it and write nothing. */
export type Hook = () => void | ApplyResult | Promise<void | ApplyResult>;
export type HookedOperation = "apply" | "closeInteraction" | "claimRetry" | "applyReceipt";

class Hooks {
  private readonly once: { operation: HookedOperation; fn: Hook }[] = [];
  private readonly every: { operation: HookedOperation; fn: Hook }[] = [];
  private running = false;

  beforeNext(operation: HookedOperation, fn: Hook): void {
    this.once.push({ operation, fn });
  }

  beforeEvery(operation: HookedOperation, fn: Hook): () => void {
    const entry = { operation, fn };
    this.every.push(entry);
    return () => this.every.splice(this.every.indexOf(entry), 1);
  }

  /** Runs the hooks due for `operation`; a forced result, if one returned it. Hooks never run inside hooks. */
  async run(operation: HookedOperation): Promise<ApplyResult | undefined> {
    if (this.running) return undefined;
    const index = this.once.findIndex((hook) => hook.operation === operation);
    const due = [...(index === -1 ? [] : this.once.splice(index, 1)), ...this.every.filter((hook) => hook.operation === operation)];
    let forced: ApplyResult | undefined;
    for (const hook of due) {
      this.running = true;
      try {
        forced = (await hook.fn()) ?? forced;
      } finally {
        this.running = false;
      }
    }
    return forced;
  }
}

/** Why a condition failed, by the adapter's roles. */
type Failures = {
  lock?: { lock: ConversationLock | undefined };
  profile?: { activeProfile: ActiveProfileRef | undefined };
  provider?: true;
  /** The opt-outs a send met (empty for an inbound keyword's failed record or lift). */
  opt_out?: { optOuts: string[] };
  interaction?: true;
  idempotency?: { record: IdempotencyRecord };
  duplicate_inbound?: true;
  consumer?: { consumer: Consumer | undefined };
};

/** The adapter's order of cancellation reasons (DynamoConversationStore.transact), with what the failed conditions found. */
function resultOf(failures: Failures): ApplyResult | undefined {
  const found: FoundState = {
    ...(failures.lock ? { lock: failures.lock.lock ? copy(failures.lock.lock) : null } : {}),
    ...(failures.profile ? { activeProfile: failures.profile.activeProfile ? copy(failures.profile.activeProfile) : null } : {}),
    ...(failures.consumer ? { consumer: failures.consumer.consumer ? copy(failures.consumer.consumer) : null } : {}),
    ...(failures.opt_out?.optOuts.length ? { optOuts: [...failures.opt_out.optOuts] } : {}),
  };
  const withFound = (result: Exclude<ApplyResult, { ok: true }>): ApplyResult =>
    Object.keys(found).length > 0 ? { ...result, found } : result;
  if (failures.idempotency) return withFound({ ok: false, failed: "idempotency", record: copy(failures.idempotency.record) });
  if (failures.duplicate_inbound) return withFound({ ok: false, failed: "duplicate_inbound" });
  if (found.consumer === null) return withFound({ ok: false, failed: "consumer" });
  if (failures.provider) return withFound({ ok: false, failed: "provider" });
  if (failures.opt_out) return withFound({ ok: false, failed: "opt_out", optedOut: true });
  if (failures.lock) return withFound({ ok: false, failed: "lock", lock: found.lock ?? undefined });
  if (failures.profile) return withFound({ ok: false, failed: "profile", activeProfile: found.activeProfile ?? undefined });
  if (failures.interaction) return withFound({ ok: false, failed: "interaction" });
  if (found.consumer) return withFound({ ok: false, failed: "consumer" });
  return undefined;
}

export class InMemoryConversationStore implements ConversationStore {
  constructor(
    private readonly world: World,
    private readonly hooks: Hooks,
    private readonly backoff: (attempt: number) => Promise<void>,
  ) {}

  async readNumberState(customerNumber: string): Promise<NumberState> {
    this.tally("readNumberState");
    const w = this.world;
    const inPartition = <T>(map: Map<string, T>) =>
      [...map.entries()]
        .filter(([key]) => key.startsWith(`${customerNumber}|`))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, value]) => copy(value));
    const links = [...(w.consumerPhones.get(customerNumber)?.values() ?? [])];
    return {
      activeProfile: w.activeProfiles.has(customerNumber) ? copy(w.activeProfiles.get(customerNumber)) : undefined,
      locks: inPartition(w.locks),
      consumerIds: links
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.consumerId.localeCompare(b.consumerId))
        .map((link) => link.consumerId),
      optOuts: inPartition(w.optOuts).map((optOut) => optOut.providerNumber),
      lastInboundAt: Object.fromEntries(
        [...w.lastInbound.entries()]
          .filter(([key]) => key.startsWith(`${customerNumber}|`))
          .map(([key, at]) => [key.slice(customerNumber.length + 1), at]),
      ),
    };
  }

  async applyInitiation(plan: InitiationPlan): Promise<ApplyResult> {
    this.tally("applyInitiation");
    const forced = await this.hooks.run("apply");
    if (forced) return forced;
    const w = this.world;
    const { decision, interaction, message, now } = plan;
    const to = interaction.to!;
    const from = interaction.from!;
    const failures: Failures = {};
    const stored = w.locks.get(lockKey(to, from));

    // Conditions, all checked before anything is written.
    if (decision.kind === "create") {
      if (stored) failures.lock = { lock: stored };
    } else {
      const expected = decision.kind === "replace" ? decision.close.version : decision.join.version;
      if (!stored || stored.version !== expected) failures.lock = { lock: stored };
    }
    if (decision.kind === "replace" && !w.interactions.get(decision.close.interactionId)?.active) failures.interaction = true;
    if (decision.kind === "inject" ? !w.interactions.get(interaction.id)?.active : w.interactions.has(interaction.id))
      failures.interaction = true;
    const provider = w.providers.get(plan.providerId);
    if (!provider || provider.active !== true || provider.number !== from) failures.provider = true;
    const optOuts = [from, "*"].filter((number) => w.optOuts.has(lockKey(to, number)));
    if (optOuts.length > 0) failures.opt_out = { optOuts };
    const pointer = w.activeProfiles.get(to);
    const change = decision.profile;
    const profileChanged =
      change.kind === "create"
        ? pointer !== undefined
        : change.kind === "keep"
          ? pointer?.consumerId !== change.consumerId
          : pointer?.profileId !== change.from.profileId;
    if (profileChanged) failures.profile = { activeProfile: pointer };
    const idempotencyKey = plan.idempotency ? `${plan.idempotency.agentId}#${plan.idempotency.key}` : undefined;
    const earlier = idempotencyKey ? w.idempotency.get(idempotencyKey) : undefined;
    if (earlier) failures.idempotency = { record: earlier };
    if (plan.unreadConsumerId) {
      const consumer = w.consumers.get(plan.unreadConsumerId);
      if (!consumer || consumer.timeZone !== undefined) failures.consumer = { consumer };
    }
    const failed = resultOf(failures);
    if (failed) return failed;

    // All or nothing.
    if (decision.kind === "create") {
      w.putLock(interaction, 1);
      w.putInteraction(interaction);
    } else if (decision.kind === "replace") {
      w.putLock(interaction, decision.close.version + 1);
      w.closeInteractionItem(decision.close.interactionId, "closed_complete", now, decision.outcome);
      w.putInteraction(interaction);
    } else {
      if (decision.assign) w.putLock(interaction, decision.join.version + 1);
      w.touchInteraction(interaction, decision.assign);
    }
    let participants = w.participants.get(interaction.id);
    if (!participants) w.participants.set(interaction.id, (participants = new Map()));
    if (!participants.has(plan.participant.agentId)) participants.set(plan.participant.agentId, copy(plan.participant));
    w.putMessage(message, true);
    if (change.kind !== "keep") {
      const profile = plan.newProfile!;
      if (change.kind === "move") {
        const old = w.profiles.get(to)?.find((p) => p.id === change.from.profileId && p.createdAt === change.from.createdAt);
        if (old) Object.assign(old, { active: false, deactivatedAt: now });
      }
      w.putProfile(profile, true);
    }
    if (plan.idempotency) w.idempotency.set(idempotencyKey!, copy(plan.idempotency));
    return { ok: true };
  }

  async applyInbound(plan: InboundPlan, inboundMessageId: string): Promise<ApplyResult> {
    this.tally("applyInbound");
    const forced = await this.hooks.run("apply");
    if (forced) return forced;
    const w = this.world;
    const { interaction, message } = plan;
    const to = interaction.to!;
    const from = interaction.from!;
    const failures: Failures = {};
    const stored = w.locks.get(lockKey(to, from));
    if (plan.join) {
      if (!stored || stored.version !== plan.join.version) failures.lock = { lock: stored };
      if (!w.interactions.get(interaction.id)?.active) failures.interaction = true;
    } else {
      if (stored) failures.lock = { lock: stored };
      if (w.interactions.has(interaction.id)) failures.interaction = true;
    }
    const optedOut = w.optOuts.has(lockKey(to, from));
    if ((plan.optOut === "record" && optedOut) || (plan.optOut === "lift" && !optedOut)) failures.opt_out = { optOuts: [] };
    if (w.inboundIds.has(inboundMessageId)) failures.duplicate_inbound = true;
    const failed = resultOf(failures);
    if (failed) return failed;

    if (plan.join) {
      w.touchInteraction(interaction, false);
    } else {
      w.putLock(interaction, 1);
      w.putInteraction(interaction);
    }
    w.putMessage(message, false);
    w.lastInbound.set(lockKey(to, from), message.createdAt);
    // The keyword's answer, queued with the inbound message (the pipeline sends it).
    if (plan.autoReply) w.putMessage(plan.autoReply, true);
    if (plan.optOut === "record") {
      w.optOuts.set(lockKey(to, from), {
        customerNumber: to,
        providerNumber: from,
        optedOutAt: message.createdAt,
        keyword: (message.body ?? "").trim().slice(0, 20),
      });
    } else if (plan.optOut === "lift") {
      w.optOuts.delete(lockKey(to, from));
    }
    w.inboundIds.set(inboundMessageId, { interactionId: message.interactionId, messageId: message.id });
    return { ok: true };
  }

  async closeInteraction(
    interaction: Interaction,
    state: "closed_complete" | "closed_abandoned",
    now: string,
    options: CloseOptions = {},
  ): Promise<"closed" | "not_active"> {
    this.tally("closeInteraction");
    const w = this.world;
    const idle = options.idleSince !== undefined;
    for (let attempt = 0; ; attempt++) {
      const forced = await this.hooks.run("closeInteraction");
      if (forced && !forced.ok) {
        if (forced.failed !== "conflict") return "not_active";
        if (attempt >= 8) throw new Error("closing transaction kept conflicting");
        await this.backoff(attempt);
        continue;
      }
      const stored = w.interactions.get(interaction.id);
      let ok = stored?.active === true && (!idle || (stored.lastActivityAt !== undefined && stored.lastActivityAt <= options.idleSince!));
      const hasLock = interaction.type === "sms" && interaction.from !== undefined && interaction.to !== undefined;
      const key = hasLock ? lockKey(interaction.to!, interaction.from!) : undefined;
      if (key && w.locks.get(key)?.interactionId !== interaction.id) ok = false;
      if (!ok) return "not_active";
      w.closeInteractionItem(
        interaction.id,
        state,
        now,
        options.reason ?? (options.event?.data.reason as CloseReason | undefined) ?? (idle ? "idle" : "closed_by_agent"),
      );
      if (key) w.locks.delete(key);
      return "closed";
    }
  }

  async listIdle(idleSince: string, limit: number): Promise<Interaction[]> {
    this.tally("listIdle");
    // The sparse index: active SMS interactions, sorted by "<lastActivityAt>#<id>".
    const sortKey = (i: Interaction) => `${i.lastActivityAt ?? i.updatedAt}#${i.id}`;
    return [...this.world.interactions.values()]
      .filter((i) => i.active && i.type === "sms" && sortKey(i) < `${idleSince}#`)
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)))
      .slice(0, limit)
      .map(copy);
  }

  async getConsumerAndIdempotencyRecord(
    consumerId: string,
    agentId: string,
    key: string,
  ): Promise<{ consumer: Consumer | undefined; record: IdempotencyRecord | undefined }> {
    this.tally("getConsumerAndIdempotencyRecord");
    const consumer = this.world.consumers.get(consumerId);
    const record = this.world.idempotency.get(`${agentId}#${key}`);
    return { consumer: consumer ? copy(consumer) : undefined, record: record ? copy(record) : undefined };
  }

  private tally(operation: string) {
    this.world.calls.set(operation, this.world.count(operation) + 1);
  }
}

export class InMemoryConsumerStore implements ConsumerStore {
  constructor(private readonly world: World) {}

  async create(consumer: Consumer): Promise<"created" | "already_exists"> {
    if (this.world.consumers.has(consumer.id)) return "already_exists";
    this.world.consumers.set(consumer.id, copy(consumer));
    for (const number of consumer.phoneNumbers) {
      let links = this.world.consumerPhones.get(number);
      if (!links) this.world.consumerPhones.set(number, (links = new Map()));
      links.set(consumer.id, { consumerId: consumer.id, createdAt: consumer.createdAt });
    }
    return "created";
  }

  async get(consumerId: string): Promise<Consumer | undefined> {
    const consumer = this.world.consumers.get(consumerId);
    return consumer ? copy(consumer) : undefined;
  }

  async findByPhoneNumber(e164: string): Promise<Consumer[]> {
    const ids = [...(this.world.consumerPhones.get(e164)?.keys() ?? [])];
    return ids
      .map((id) => this.world.consumers.get(id))
      .filter((consumer): consumer is Consumer => consumer !== undefined)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .map(copy);
  }
}

export class InMemoryProviderStore implements ProviderStore {
  constructor(private readonly world: World) {}

  async create(provider: Provider): Promise<CreateProviderResult> {
    const holder = this.world.providerNumbers.get(provider.number);
    if (holder !== undefined) return { outcome: "number_taken", holderId: holder };
    // The adapter's transaction is cancelled on the provider item too, and that is not a taken number: it throws.
    if (this.world.providers.has(provider.id)) throw new Error(`provider ${provider.id} already exists`);
    this.world.providers.set(provider.id, copy(provider));
    this.world.providerNumbers.set(provider.number, provider.id);
    return { outcome: "created" };
  }

  async get(providerId: string): Promise<Provider | undefined> {
    const provider = this.world.providers.get(providerId);
    return provider ? copy(provider) : undefined;
  }

  async list(): Promise<Provider[]> {
    return [...this.world.providers.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)).map(copy);
  }

  async update(providerId: string, change: { name?: string; active?: boolean }, updatedAt: string): Promise<Provider | undefined> {
    const provider = this.world.providers.get(providerId);
    if (!provider) return undefined;
    for (const [field, value] of Object.entries(change)) {
      if (value !== undefined) Object.assign(provider, { [field]: value });
    }
    provider.updatedAt = updatedAt;
    return copy(provider);
  }
}

export class InMemoryProfileStore implements ProfileStore {
  constructor(private readonly world: World) {}

  async getActive(phoneNumber: string): Promise<ActiveProfileRef | undefined> {
    const pointer = this.world.activeProfiles.get(phoneNumber);
    return pointer ? copy(pointer) : undefined;
  }

  async getProfile(phoneNumber: string, active: ActiveProfileRef): Promise<ChannelUserProfile | undefined> {
    const profile = this.world.profiles.get(phoneNumber)?.find((p) => p.id === active.profileId && p.createdAt === active.createdAt);
    return profile ? copy(profile) : undefined;
  }

  async listByNumber(phoneNumber: string): Promise<ChannelUserProfile[]> {
    const sortKey = (p: ChannelUserProfile) => `${p.createdAt}#${p.id}`;
    return this.world.profilesOf(phoneNumber).sort((a, b) => sortKey(b).localeCompare(sortKey(a)));
  }

  async createIfNoneActive(profile: ChannelUserProfile): Promise<boolean> {
    if (this.world.activeProfiles.has(profile.phoneNumber)) return false;
    this.world.putProfile(profile, true);
    return true;
  }
}

/** A cursor: the query it belongs to and the sort key of the last item it gave. */
function encodeCursor(query: string, after: string): string {
  return Buffer.from(JSON.stringify({ query, after })).toString("base64url");
}

function decodeCursor(cursor: string, query: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { query?: unknown; after?: unknown };
    return parsed.query === query && typeof parsed.after === "string" ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}

export class InMemoryInteractionStore implements InteractionStore {
  constructor(private readonly world: World) {}

  async get(interactionId: string): Promise<Interaction | undefined> {
    const interaction = this.world.interactions.get(interactionId);
    return interaction ? copy(interaction) : undefined;
  }

  async getWithParticipants(interactionId: string) {
    const interaction = this.world.interactions.get(interactionId);
    if (!interaction) return undefined;
    const participants = [...(this.world.participants.get(interactionId)?.values() ?? [])]
      .sort((a, b) => a.agentId.localeCompare(b.agentId))
      .sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
    return { ...copy(interaction), participants: copy(participants) };
  }

  /** One page (no cursor: these fakes hold few messages). */
  async listMessages(interactionId: string, options: { limit: number }): Promise<{ items: Message[] }> {
    return { items: this.world.messagesOf(interactionId).slice(0, options.limit) };
  }

  async listByConsumer(consumerId: string, options: { limit: number; cursor?: string; active?: boolean }) {
    return this.page(
      `consumer:${consumerId}`,
      (i) => i.consumerId === consumerId && (options.active === undefined || i.active === options.active),
      options,
    );
  }

  async listActiveByAssignee(agentId: string, options: { limit: number; cursor?: string }) {
    return this.page(`assignee:${agentId}`, (i) => i.active && i.assignedTo === agentId, options);
  }

  async createPhoneInteraction(interaction: Interaction): Promise<void> {
    if (this.world.interactions.has(interaction.id))
      throw new Error(`interaction ${interaction.id} already exists (conditional check failed)`);
    this.world.putInteraction(interaction);
  }

  /** Newest first by "<createdAt>#<id>"; a cursor of another query is refused. */
  private page(
    query: string,
    matches: (interaction: Interaction) => boolean,
    options: { limit: number; cursor?: string },
  ): InteractionPage | "invalid_cursor" {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, query);
    if (options.cursor !== undefined && after === undefined) return "invalid_cursor";
    const sortKey = (i: Interaction) => `${i.createdAt}#${i.id}`;
    const all = [...this.world.interactions.values()]
      .filter(matches)
      .sort((a, b) => sortKey(b).localeCompare(sortKey(a)))
      .filter((i) => after === undefined || sortKey(i) < after);
    const items = all.slice(0, options.limit).map(copy);
    // As DynamoDB: a page that stopped at its limit has a cursor (the next page may be empty).
    return { items, ...(items.length === options.limit ? { cursor: encodeCursor(query, sortKey(items.at(-1)!)) } : {}) };
  }
}

export class InMemoryMessageStore implements MessageStore {
  constructor(
    private readonly world: World,
    private readonly hooks: Hooks,
  ) {}

  async locate(messageId: string): Promise<MessageRef | undefined> {
    const ref = this.world.messageIndex.get(messageId);
    return ref ? copy(ref) : undefined;
  }

  async get(ref: MessageRef): Promise<StoredMessage | undefined> {
    const message = this.world.getMessage(ref);
    return message ? copy(message) : undefined;
  }

  async applyReceipt(ref: MessageRef, change: ReceiptChange): Promise<ReceiptApplied> {
    await this.hooks.run("applyReceipt");
    const stored = this.world.getMessage(ref);
    const refused = () => ({ applied: false as const, message: stored ? copy(stored) : undefined });
    if (!stored) return refused();
    if (change.status) {
      if (!(statusesThatMayBecome(change.status) as string[]).includes(stored.status)) return refused();
    } else if (stored.lastReceipt && stored.lastReceipt.eventTimestamp >= change.receipt.eventTimestamp) {
      return refused();
    }
    if (change.providerMessageId && stored.earlierProviderMessageIds?.includes(change.providerMessageId)) return refused();
    stored.lastReceipt = copy(change.receipt);
    if (change.status) {
      stored.status = change.status;
      if (change.status === "delivered") stored.deliveredAt = change.receipt.at;
      if (change.status === "failed") stored.failedAt = change.receipt.at;
      if (change.errorCode) stored.errorCode = change.errorCode;
    }
    if (change.providerMessageId && stored.providerMessageId === undefined) stored.providerMessageId = change.providerMessageId;
    return { applied: true, message: copy(stored) };
  }

  async keepReceiptAside(receipt: AsideReceipt): Promise<{ pk: string; sk: string }> {
    const key = { pk: `RECEIPT_ASIDE#${receipt.id}`, sk: `${receipt.eventTimestamp}#${receipt.eventType}` };
    const same = this.world.receiptsAside.findIndex(
      (r) => r.id === receipt.id && r.eventTimestamp === receipt.eventTimestamp && r.eventType === receipt.eventType,
    );
    if (same !== -1) this.world.receiptsAside.splice(same, 1);
    this.world.receiptsAside.push(copy(receipt));
    return key;
  }

  async claimRetry(message: StoredMessage, claim: { agentId: string; now: string }): Promise<RetryClaim> {
    await this.hooks.run("claimRetry");
    const stored = this.world.getMessage(refOf(message));
    if (!stored || stored.status !== retryMove.from || stored.providerMessageId !== message.providerMessageId) {
      return { claimed: false, message: stored ? copy(stored) : undefined };
    }
    if ([message.from, "*"].some((number) => this.world.optOuts.has(lockKey(message.to, number))))
      return { claimed: false, optedOut: true, message: copy(stored) };
    stored.status = retryMove.to;
    stored.attempts = (stored.attempts ?? 1) + 1;
    stored.retriedAt = claim.now;
    stored.retriedBy = claim.agentId;
    if (message.providerMessageId)
      stored.earlierProviderMessageIds = [...(stored.earlierProviderMessageIds ?? []), message.providerMessageId];
    for (const field of ["errorCode", "providerMessageId", "failedAt", "deliveredAt", "lastReceipt"] as const) delete stored[field];
    return { claimed: true, message: copy(stored) };
  }
}

function refOf(message: Message): MessageRef {
  return { interactionId: message.interactionId, messageId: message.id, createdAt: message.createdAt };
}

/** A clock that stands still until told: `set` it, or `advance` it. */
/** Outcome metrics as a list, in the order counted. */
export class RecordingMetrics implements OutcomeMetrics {
  readonly counted: OutcomeMetric[] = [];
  count(metric: OutcomeMetric): void {
    this.counted.push(metric);
  }
}

export class SettableClock implements Clock {
  private current: number;

  constructor(start: string) {
    this.current = Date.parse(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(iso: string): void {
    this.current = Date.parse(iso);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** `<prefix>_0001`, `<prefix>_0002`, … per prefix: ids sort in creation order. */
export class SequentialIds implements IdGenerator {
  private readonly counters = new Map<string, number>();

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}_${String(n).padStart(4, "0")}`;
  }
}

export const testStart = "2026-03-02T09:00:00.000Z";
export const testHelpText = "Acme support. Reply STOP to unsubscribe.";

/**
 * The ports of `createAdapters()` (shared/platform/composition-root.ts) in memory, plus what the
 * handlers add (the shipped compose extension, help text, idle limit), the world they
 * share, and the race hooks.
 */
export function createInMemoryPorts(
  options: {
    now?: string;
    defaultCountry?: string;
    helpText?: string;
    idleCloseAfterMs?: number;
    extension?: ComposeDefaultsExtension;
    /** Default: open around the clock (the send window's own tests set one). */
    sendWindow?: SendWindow;
    replyGraceMs?: number;
  } = {},
) {
  const world = new World();
  const hooks = new Hooks();
  const backoffs: number[] = [];
  /** Resolves at once, and remembers the attempt it was asked to wait after. */
  const backoff = async (attempt: number) => {
    backoffs.push(attempt);
  };
  return {
    consumers: new InMemoryConsumerStore(world),
    providers: new InMemoryProviderStore(world),
    interactions: new InMemoryInteractionStore(world),
    conversations: new InMemoryConversationStore(world, hooks, backoff),
    recentLocks: new ContainerRecentLocks(),
    profiles: new InMemoryProfileStore(world),
    messages: new InMemoryMessageStore(world, hooks),
    backoff,
    clock: new SettableClock(options.now ?? testStart),
    ids: new SequentialIds(),
    defaultCountry: options.defaultCountry ?? "US",
    extension: options.extension ?? defaultComposeExtension,
    helpText: options.helpText ?? testHelpText,
    idleCloseAfterMs: options.idleCloseAfterMs ?? 24 * 60 * 60 * 1000,
    sendWindow: options.sendWindow ?? { start: 0, end: 24 * 60 },
    replyGraceMs: options.replyGraceMs ?? defaultReplyGraceMs,
    world,
    /** The attempts `backoff` was called with, in order. */
    backoffs,
    /** Runs `fn` inside the next `applyInitiation` or `applyInbound`, after the caller's reads, before its checks. */
    beforeNextApply: (fn: Hook) => hooks.beforeNext("apply", fn),
    /** Runs `fn` inside every transaction of that kind until the returned function is called. */
    beforeEveryApply: (fn: Hook) => hooks.beforeEvery("apply", fn),
    beforeNext: (operation: HookedOperation, fn: Hook) => hooks.beforeNext(operation, fn),
  };
}

export type InMemoryPorts = ReturnType<typeof createInMemoryPorts>;
