import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { batchGetAll } from "./batch-get";
import { queryAll } from "./query-pages";
import type { Interaction } from "../../core/model/interaction";
import type { ActiveProfileRef } from "../../core/model/channel-user-profile";
import type { ServiceEvent } from "../../core/model/service-event";
import { lastEventOf, sequenceClauses, transactNumbered, type EventNumbering } from "./event-numbering";
import { expiresAfter, fromItem, isItemOf, items, type ItemType } from "./items";
import { keys, phonePartition, tableDesign, type ItemKey } from "./table-design";
import type { Message } from "../../core/model/message";
import type { NumberHasher } from "../../core/ports/number-hasher";
import type { ConversationLock } from "../../core/model/conversation-lock";
import type { Consumer } from "../../core/model/consumer";
import { everyProviderNumber } from "../../core/model/consent";
import { optOutChecks } from "./opt-out-items";
import type {
  ApplyResult,
  CloseOptions,
  ConversationStore,
  IdempotencyRecord,
  InboundPlan,
  InitiationPlan,
  FoundState,
  NumberState,
} from "../../core/ports/conversation-store";
import { byCodeUnits } from "../../core/rules/code-unit-order";
import { activeProfileHeldBy } from "./profile-store";
import {
  exists,
  notExists,
  storedAttributeIs,
  storedAttributesAre,
  versionIs,
  type Cancellation,
  type Named,
  type TransactItem,
} from "./transaction";

/** The assumptions a conversation's transaction re-checks, so its cancellation says which failed. */
type Role =
  | "lock"
  | "profile"
  | "provider"
  | "opt_out"
  | "suppressed"
  | "interaction"
  | "idempotency"
  | "duplicate_inbound"
  | "participant"
  | "consumer";

/** A transaction's outcome, and (when an interaction's event sequence ran ahead of ours) the sequence to start after. */
type Applied = ApplyResult & { sequenceAfter?: number };

export class DynamoConversationStore implements ConversationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Waits before trying a conflicted closing transaction again. */
    private readonly backoff: (attempt: number) => Promise<void>,
    /** How long events are kept (TTL). */
    private readonly eventRetentionSeconds = 7 * 24 * 3600,
    private readonly privacy: {
      /** The keyed hash of a customer number: a send checks the suppression an erasure left under it. */
      numberHasher?: NumberHasher;
      /** MESSAGE_RETENTION: messages, and interactions once closed, are deleted by TTL that long after. */
      messageRetentionSeconds?: number;
    } = {},
  ) {}

  /** The key of the suppression a send must not meet. No key configured: no send (an erased number's opt-out must hold). */
  private async suppressionOf(customerNumber: string) {
    if (!this.privacy.numberHasher) {
      throw new Error("no privacy key (PRIVACY_KEY_SECRET_ARN or PRIVACY_KEY_FILE): a send cannot check the opt-outs an erasure kept");
    }
    return keys.suppression(await this.privacy.numberHasher.hash(customerNumber));
  }

  /**
   * Builds and runs a transaction whose events are numbered; a cancellation says which assumption
   * failed, with the stored item where there is one. When another transaction numbered an
   * interaction's events past ours (a clock behind another's), numbers them again after it.
   */
  private async transactNumbered(now: string, build: (numbering: EventNumbering) => Named<Role>[]): Promise<ApplyResult> {
    const cancelled = await transactNumbered(this.client, now, build, (cancelled) => outcomeOf(cancelled)?.sequenceAfter);
    if (cancelled === undefined) return { ok: true };
    if (cancelled === "kept colliding") return { ok: false, failed: "conflict" };
    const outcome = outcomeOf(cancelled);
    // Anything else (an unnamed item's condition, a request DynamoDB refused) is a bug to see.
    if (!outcome) throw cancelled.error;
    const { sequenceAfter: _sequenceAfter, ...applied } = outcome;
    return applied as ApplyResult;
  }

  /** The event items of a transaction. */
  private eventWrites(events: ServiceEvent[]): Named<Role>[] {
    return events.map((event) => [undefined, { Put: { TableName: this.tableName, Item: items.event(event, this.eventRetentionSeconds) } }]);
  }

  async readNumberState(customerNumber: string): Promise<NumberState> {
    // Everything in the number's partition before the profile history: active-profile pointer,
    // consumer links, conversation locks. One strongly consistent read.
    const stored = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: "#pk = :pk AND #sk < :history",
      ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#sk": tableDesign.sortKey },
      ExpressionAttributeValues: { ":pk": phonePartition(customerNumber), ":history": keys.profilePrefix },
      ConsistentRead: true,
    });
    const state: NumberState = { activeProfile: undefined, locks: [], consumerIds: [], optOuts: [], lastInboundAt: {} };
    const links: { consumerId: string; createdAt: string }[] = [];
    for (const item of stored) {
      if (isItemOf(item, "activeProfile")) state.activeProfile = fromItem<ActiveProfileRef>(item);
      else if (isItemOf(item, "conversationLock")) state.locks.push(fromItem<ConversationLock>(item));
      else if (isItemOf(item, "optOut")) state.optOuts.push(String(item.providerNumber));
      else if (isItemOf(item, "lastInbound")) state.lastInboundAt[String(item.providerNumber)] = String(item.at);
      else if (isItemOf(item, "consumerPhone"))
        links.push({ consumerId: String(item.consumerId), createdAt: String(item.createdAt ?? "") });
    }
    // Oldest consumer first (the sort key orders them by id, not by age).
    state.consumerIds = links
      .sort((a, b) => byCodeUnits(a.createdAt, b.createdAt) || byCodeUnits(a.consumerId, b.consumerId))
      .map((link) => link.consumerId);
    return state;
  }

  async applyInitiation(plan: InitiationPlan): Promise<ApplyResult> {
    const suppression = await this.suppressionOf(plan.interaction.to!);
    return this.transactNumbered(plan.now, (numbering) => this.initiationWrites(plan, numbering, suppression));
  }

  private initiationWrites(plan: InitiationPlan, numbering: EventNumbering, suppression: ItemKey): Named<Role>[] {
    const { decision, interaction, message, now } = plan;
    const events = numbering.number(plan.events);
    const writes: Named<Role>[] = [];
    const to = interaction.to!;
    const from = interaction.from!;

    if (decision.kind === "create") {
      writes.push([
        "lock",
        {
          Put: {
            TableName: this.tableName,
            Item: items.conversationLock(interaction, 1),
            ...notExists,
          },
        },
      ]);
    } else if (decision.kind === "replace") {
      const old = decision.close;
      writes.push([
        "lock",
        { Put: { TableName: this.tableName, Item: items.conversationLock(interaction, old.version + 1), ...versionIs(old.version) } },
      ]);
      writes.push(["interaction", this.closeUpdate(old.interactionId, "closed_complete", now, {}, numbering)]);
    } else {
      const joined = decision.join;
      writes.push([
        "lock",
        decision.assign
          ? {
              Put: {
                TableName: this.tableName,
                Item: items.conversationLock(interaction, joined.version + 1),
                ...versionIs(joined.version),
              },
            }
          : { ConditionCheck: { TableName: this.tableName, Key: keys.conversationLock(to, from), ...versionIs(joined.version) } },
      ]);
    }
    // The interaction the message lands in: new, or the joined one touched (and assigned from the queue).
    writes.push([
      "interaction",
      decision.kind === "inject"
        ? this.touchUpdate(interaction, decision.assign, numbering)
        : {
            Put: {
              TableName: this.tableName,
              Item: { ...items.interaction(interaction), ...lastEventOf(numbering, interaction.id) },
              ...notExists,
            },
          },
    ]);
    // A new interaction is linked from the customer number's partition (export and erasure find it there).
    if (decision.kind !== "inject") {
      writes.push([undefined, { Put: { TableName: this.tableName, Item: items.interactionLink(interaction) } }]);
    }
    // An agent joins once: written only when the send found them outside the live group, on the
    // condition that they still are (else their other send got there first: decide again).
    if (plan.newParticipant) {
      writes.push([
        "participant",
        {
          Put: {
            TableName: this.tableName,
            Item: {
              ...keys.participant(interaction.id, plan.participant.agentId),
              itemType: "participant" satisfies ItemType,
              ...plan.participant,
            },
            ...notExists,
          },
        },
      ]);
    }
    writes.push(...this.eventWrites(events));
    writes.push(...this.messageWrites(message));
    writes.push([
      "provider",
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.provider(plan.providerId),
          ...storedAttributesAre({ active: true, number: from }),
        },
      },
    ]);
    // Not opted out of this number nor of all of them (re-checked: a STOP or a person's entry
    // may land between the read and this write).
    writes.push(...optOutChecks(this.tableName, to, from));
    // Nor of an opt-out an erasure kept under the number's keyed hash (its records are gone, the opt-out is not).
    writes.push([
      "suppressed",
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: suppression,
          ConditionExpression: "attribute_not_exists(#pk) OR NOT (contains(#providers, :from) OR contains(#providers, :every))",
          ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#providers": "providerNumbers" },
          ExpressionAttributeValues: { ":from": from, ":every": everyProviderNumber },
        },
      },
    ]);
    writes.push(...this.profileItems(plan, to, now));
    // Decided without reading the consumer: it must exist, with no time zone that would judge the window otherwise.
    if (plan.unreadConsumerId) {
      writes.push([
        "consumer",
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: keys.consumer(plan.unreadConsumerId),
            ConditionExpression: "attribute_exists(#pk) AND attribute_not_exists(#timeZone)",
            ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#timeZone": "timeZone" },
          },
        },
      ]);
    }
    if (plan.idempotency) {
      writes.push([
        "idempotency",
        {
          Put: {
            TableName: this.tableName,
            Item: items.idempotencyKey(plan.idempotency),
            ...notExists,
          },
        },
      ]);
    }
    return writes;
  }

  async listIdle(idleSince: string, limit: number): Promise<Interaction[]> {
    const index = tableDesign.indexes.byActivity;
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: "#pk = :pk AND #sk < :since",
        ExpressionAttributeNames: { "#pk": index.partitionKey, "#sk": index.sortKey },
        // The sort key is "<lastActivityAt>#<id>": everything before the cutoff's timestamp.
        ExpressionAttributeValues: { ":pk": keys.activeInteractionsPartition, ":since": `${idleSince}#` },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => fromItem<Interaction>(item));
  }

  async applyInbound(plan: InboundPlan, inboundMessageId: string): Promise<ApplyResult> {
    return this.transactNumbered(plan.interaction.updatedAt, (numbering) => this.inboundWrites(plan, inboundMessageId, numbering));
  }

  private inboundWrites(plan: InboundPlan, inboundMessageId: string, numbering: EventNumbering): Named<Role>[] {
    const { interaction, message } = plan;
    const events = numbering.number(plan.events);
    const writes: Named<Role>[] = [];
    if (plan.join) {
      writes.push([
        "lock",
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: keys.conversationLock(interaction.to!, interaction.from!),
            ...versionIs(plan.join.version),
          },
        },
      ]);
      writes.push(["interaction", this.touchUpdate(interaction, false, numbering)]);
    } else {
      writes.push([
        "lock",
        {
          Put: {
            TableName: this.tableName,
            Item: items.conversationLock(interaction, 1),
            ...notExists,
          },
        },
      ]);
      writes.push([
        "interaction",
        {
          Put: {
            TableName: this.tableName,
            Item: { ...items.interaction(interaction), ...lastEventOf(numbering, interaction.id) },
            ...notExists,
          },
        },
      ]);
      writes.push([undefined, { Put: { TableName: this.tableName, Item: items.interactionLink(interaction) } }]);
    }
    writes.push([undefined, { Put: { TableName: this.tableName, Item: items.message(message, this.privacy.messageRetentionSeconds) } }]);
    // Unconditional: inbound messages are stamped when processed, so the latest write is the latest message.
    writes.push([
      undefined,
      { Put: { TableName: this.tableName, Item: items.lastInbound(interaction.to!, interaction.from!, message.createdAt) } },
    ]);
    writes.push(...this.eventWrites(events));
    if (plan.autoReply) {
      // The keyword's answer is written queued with the inbound message: the change stream sends it.
      writes.push(...this.messageWrites(plan.autoReply));
    }
    if (plan.consent) writes.push([undefined, { Put: { TableName: this.tableName, Item: items.consentEntry(plan.consent) } }]);
    if (plan.optOut === "record") {
      const item = items.optOut(interaction.to!, interaction.from!, message.createdAt, (message.body ?? "").trim().slice(0, 20));
      // Recorded once: a second STOP finds it and is not confirmed again.
      writes.push(["opt_out", { Put: { TableName: this.tableName, Item: item, ...notExists } }]);
    } else if (plan.optOut === "lift") {
      writes.push([
        "opt_out",
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.optOut(interaction.to!, interaction.from!),
            ...exists,
          },
        },
      ]);
    }
    writes.push([
      "duplicate_inbound",
      {
        Put: {
          TableName: this.tableName,
          Item: items.inboundMessage(inboundMessageId, message, this.privacy.messageRetentionSeconds),
          ...notExists,
        },
      },
    ]);
    return writes;
  }

  async closeInteraction(
    interaction: Interaction,
    state: "closed_complete" | "closed_abandoned",
    now: string,
    options: CloseOptions = {},
  ): Promise<"closed" | "not_active"> {
    const build = (numbering: EventNumbering): Named<Role>[] => {
      const events = numbering.number(options.event ? [options.event] : []);
      const writes: Named<Role>[] = [["interaction", this.closeUpdate(interaction.id, state, now, options, numbering)]];
      if (interaction.type === "sms" && interaction.from && interaction.to) {
        writes.push([
          "lock",
          {
            Delete: {
              TableName: this.tableName,
              Key: keys.conversationLock(interaction.to, interaction.from),
              ...storedAttributeIs("interactionId", interaction.id),
            },
          },
        ]);
      }
      writes.push(...this.eventWrites(events));
      return writes;
    };
    for (let attempt = 0; ; attempt++) {
      const result = await this.transactNumbered(now, build);
      if (result.ok) return "closed";
      if (result.failed !== "conflict") return "not_active";
      if (attempt >= 8) throw new Error("closing transaction kept conflicting");
      await this.backoff(attempt);
    }
  }

  async getConsumerAndIdempotencyRecord(
    consumerId: string,
    agentId: string,
    key: string,
  ): Promise<{ consumer: Consumer | undefined; record: IdempotencyRecord | undefined }> {
    const found = await batchGetAll(this.client, this.tableName, [keys.consumer(consumerId), keys.idempotencyKey(agentId, key)], {
      consistentRead: true,
      backoff: this.backoff,
    });
    const consumer = found.find((item) => isItemOf(item, "consumer"));
    const record = found.find((item) => isItemOf(item, "idempotencyKey"));
    return {
      consumer: consumer ? fromItem<Consumer>(consumer) : undefined,
      record: record ? fromItem<IdempotencyRecord>(record) : undefined,
    };
  }

  /** New activity on an active interaction; `assign` also hands it to `interaction.assignedTo`. */
  private touchUpdate(interaction: Interaction, assign: boolean, numbering: EventNumbering): TransactItem {
    const now = interaction.updatedAt;
    const activity = keys.activeByActivity(now, interaction.id);
    const names: Record<string, string> = {
      "#updatedAt": "updatedAt",
      "#lastActivityAt": "lastActivityAt",
      "#active": "active",
      "#g3sk": "gsi3sk",
    };
    const values: Record<string, unknown> = { ":now": now, ":true": true, ":g3sk": activity.gsi3sk };
    const sets = ["#updatedAt = :now", "#lastActivityAt = :now", "#g3sk = :g3sk"];
    if (assign) {
      const assignee = keys.assigneeActiveInteractions(interaction.assignedTo!, interaction.createdAt, interaction.id);
      Object.assign(names, { "#handler": "handler", "#state": "state", "#assignedTo": "assignedTo", "#g2pk": "gsi2pk", "#g2sk": "gsi2sk" });
      Object.assign(values, {
        ":handler": interaction.handler,
        ":state": interaction.state,
        ":assignedTo": interaction.assignedTo,
        ":g2pk": assignee.gsi2pk,
        ":g2sk": assignee.gsi2sk,
      });
      sets.push("#handler = :handler", "#state = :state", "#assignedTo = :assignedTo", "#g2pk = :g2pk", "#g2sk = :g2sk");
    }
    const sequence = sequenceClauses(numbering, interaction.id);
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.interaction(interaction.id),
        UpdateExpression: `SET ${[...sets, ...sequence.sets].join(", ")}`,
        ConditionExpression: ["#active = :true", ...sequence.conditions].join(" AND "),
        ExpressionAttributeNames: { ...names, ...sequence.names },
        ExpressionAttributeValues: { ...values, ...sequence.values },
      },
    };
  }

  /** A new message and its by-id item, both kept MESSAGE_RETENTION when set. */
  private messageWrites(message: Message): Named<Role>[] {
    const retention = this.privacy.messageRetentionSeconds;
    return [
      [undefined, { Put: { TableName: this.tableName, Item: items.message(message, retention) } }],
      [undefined, { Put: { TableName: this.tableName, Item: items.messageById(message, retention) } }],
    ];
  }

  private closeUpdate(interactionId: string, state: string, now: string, options: CloseOptions, numbering: EventNumbering): TransactItem {
    const { byAssignee, byActivity } = tableDesign.indexes;
    // MESSAGE_RETENTION: a closed interaction is deleted by TTL that long after it closed.
    const expiry = expiresAfter(now, this.privacy.messageRetentionSeconds);
    const expires = Object.keys(expiry).length > 0;
    const idle = options.idleSince !== undefined;
    const sequence = sequenceClauses(numbering, interactionId);
    const reason = options.event?.data.reason;
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.interaction(interactionId),
        UpdateExpression: `SET ${["#state = :state", "#active = :false", "#closedAt = :now", "#updatedAt = :now", "#closedReason = :reason", ...(expires ? ["#expiresAt = :expiresAt"] : []), ...sequence.sets].join(", ")} REMOVE ${[byAssignee.partitionKey, byAssignee.sortKey, byActivity.partitionKey, byActivity.sortKey].join(", ")}`,
        // The idle sweep closes only if nothing happened since it looked.
        ConditionExpression: [idle ? "#active = :true AND #lastActivityAt <= :idleSince" : "#active = :true", ...sequence.conditions].join(
          " AND ",
        ),
        ExpressionAttributeNames: {
          "#state": "state",
          "#active": "active",
          "#closedAt": "closedAt",
          "#updatedAt": "updatedAt",
          "#closedReason": "closedReason",
          ...(idle ? { "#lastActivityAt": "lastActivityAt" } : {}),
          ...(expires ? { "#expiresAt": tableDesign.timeToLiveAttribute } : {}),
          ...sequence.names,
        },
        ExpressionAttributeValues: {
          ":state": state,
          ":false": false,
          ":true": true,
          ":now": now,
          ":reason": idle ? "idle" : (options.reason ?? (typeof reason === "string" && reason !== "closed_by_agent" ? reason : "closed")),
          ...(idle ? { ":idleSince": options.idleSince } : {}),
          ...(expires ? { ":expiresAt": expiry[tableDesign.timeToLiveAttribute] } : {}),
          ...sequence.values,
        },
      },
    };
  }

  private profileItems(plan: InitiationPlan, phoneNumber: string, now: string): Named<Role>[] {
    const change = plan.decision.profile;
    if (change.kind === "keep") {
      return [activeProfileHeldBy(this.tableName, phoneNumber, change.consumerId)];
    }
    const profile = plan.newProfile!;
    const pointer = items.activeProfile(profile);
    const history: Named<Role> = [undefined, { Put: { TableName: this.tableName, Item: items.profile(profile) } }];
    if (change.kind === "create") {
      return [
        [
          "profile",
          {
            Put: {
              TableName: this.tableName,
              Item: pointer,
              ...notExists,
            },
          },
        ],
        history,
      ];
    }
    return [
      ["profile", { Put: { TableName: this.tableName, Item: pointer, ...profileIs(change.from.profileId) } }],
      [
        undefined,
        {
          Update: {
            TableName: this.tableName,
            Key: keys.profile(phoneNumber, change.from.createdAt, change.from.profileId),
            UpdateExpression: "SET #active = :false, #deactivatedAt = :now",
            ExpressionAttributeNames: { "#active": "active", "#deactivatedAt": "deactivatedAt" },
            ExpressionAttributeValues: { ":false": false, ":now": now },
          },
        },
      ],
      history,
    ];
  }
}

/**
 * What a cancellation means for the conversation: the first failed assumption that decides, with
 * what the failed conditions found stored; a conflict when only contention cancelled it; undefined
 * when nothing explains it.
 */
function outcomeOf(cancelled: Cancellation<Role>): Applied | undefined {
  const found = foundState(cancelled);
  const failure = firstFailure(cancelled, found);
  if (failure) return { ...failure, ...(Object.keys(found).length > 0 ? { found } : {}) };
  // Another transaction held an item, or throttling: worth another try.
  if (cancelled.contended) return { ok: false, failed: "conflict" };
  return undefined;
}

/** Each failed condition's stored item that the send decides again on (null: nothing is stored there). */
function foundState(cancelled: Cancellation<Role>): FoundState {
  const found: FoundState = {};
  const stored = <T>(role: Role) => {
    const item = cancelled.found(role);
    return item ? fromItem<T>(item) : null;
  };
  if (cancelled.failed("lock")) found.lock = stored<ConversationLock>("lock");
  if (cancelled.failed("profile")) found.activeProfile = stored<ActiveProfileRef>("profile");
  if (cancelled.failed("consumer")) found.consumer = stored<Consumer>("consumer");
  // Both opt-out checks may fail (the number's own and `*`): each names its send-from number.
  const optOuts = cancelled.failures.flatMap(({ assumption, found: item }) =>
    assumption === "opt_out" && item ? [String(item.providerNumber)] : [],
  );
  if (optOuts.length > 0) found.optOuts = optOuts;
  return found;
}

/** The failed assumption that decides what happens next: refusals first, then the state to decide again on. */
function firstFailure(cancelled: Cancellation<Role>, found: FoundState): Applied | undefined {
  if (cancelled.failed("idempotency"))
    return { ok: false, failed: "idempotency", record: fromItem<IdempotencyRecord>(cancelled.found("idempotency")!) };
  if (cancelled.failed("duplicate_inbound")) return { ok: false, failed: "duplicate_inbound" };
  if (found.consumer === null) return { ok: false, failed: "consumer" };
  if (cancelled.failed("provider")) return { ok: false, failed: "provider" };
  if (cancelled.failed("opt_out")) return { ok: false, failed: "opt_out", optedOut: true };
  if (cancelled.failed("suppressed")) return { ok: false, failed: "suppressed" };
  if (found.lock !== undefined) return { ok: false, failed: "lock", lock: found.lock ?? undefined };
  if (found.activeProfile !== undefined) return { ok: false, failed: "profile", activeProfile: found.activeProfile ?? undefined };
  if (cancelled.failed("participant")) return { ok: false, failed: "participant" };
  if (cancelled.failed("interaction")) {
    // Still active, with events numbered at or past ours: number ours again after them.
    const stored = cancelled.found("interaction");
    const last = stored?.active === true ? stored.lastEventSequence : undefined;
    return { ok: false, failed: "interaction", ...(typeof last === "number" ? { sequenceAfter: last } : {}) };
  }
  if (found.consumer) return { ok: false, failed: "consumer" };
  return undefined;
}

const profileIs = (profileId: string) => storedAttributeIs("profileId", profileId);
