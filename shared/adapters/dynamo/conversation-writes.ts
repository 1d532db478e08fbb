import { everyProviderNumber } from "../../core/model/consent";
import { closeReasons, type CloseReason } from "../../core/model/service-event";
import type { Interaction } from "../../core/model/interaction";
import type { Message } from "../../core/model/message";
import type { ServiceEvent } from "../../core/model/service-event";
import type { CloseOptions, InboundPlan, InitiationPlan } from "../../core/ports/conversation-store";
import type { ConversationAssumption } from "./conversation-transaction";
import { lastEventOf, sequenceClauses, type EventNumbering } from "./event-numbering";
import { expiresAfter, items, type ItemType } from "./items";
import { optOutChecks } from "./opt-out-items";
import { activeProfileHeldBy } from "./profile-store";
import { keys, tableDesign, type ItemKey } from "./table-design";
import {
  exists,
  notExists,
  storedAttributeIs,
  storedAttributesAre,
  versionIs,
  type Condition,
  type Named,
  type TransactItem,
} from "./transaction";

type Write = Named<ConversationAssumption>;

/**
 * The items of a conversation's transactions, each named by the assumption it re-checks: a send
 * (create, replace or inject), an inbound message (open or join), a close.
 */
export class ConversationWrites {
  constructor(
    private readonly tableName: string,
    private readonly retention: {
      /** How long events are kept (TTL). */
      eventSeconds: number;
      /** MESSAGE_RETENTION: messages, and interactions once closed, are deleted by TTL that long after. */
      messageSeconds?: number | undefined;
    },
  ) {}

  /** A send's transaction; `suppression` is the key of what an erasure kept of the number's opt-outs. */
  initiation(plan: InitiationPlan, numbering: EventNumbering, suppression: ItemKey): Write[] {
    const { decision, interaction, message, now } = plan;
    const events = numbering.number(plan.events);
    const writes: Write[] = [];
    const to = interaction.to!;
    const from = interaction.from!;

    if (decision.kind === "create") {
      writes.push(["lock", this.put(items.conversationLock(interaction, 1), notExists)]);
    } else if (decision.kind === "replace") {
      const old = decision.close;
      writes.push(["lock", this.put(items.conversationLock(interaction, old.version + 1), versionIs(old.version))]);
      // Closed for the reason its `interaction.closed` event (in `plan.events`) gives: the decision's outcome.
      writes.push(["interaction", this.closeUpdate(old.interactionId, "closed_complete", now, { reason: decision.outcome }, numbering)]);
    } else {
      const joined = decision.join;
      writes.push([
        "lock",
        decision.assign
          ? this.put(items.conversationLock(interaction, joined.version + 1), versionIs(joined.version))
          : this.check(keys.conversationLock(to, from), versionIs(joined.version)),
      ]);
    }
    // The interaction the message lands in: new, or the joined one touched (and assigned from the queue).
    writes.push([
      "interaction",
      decision.kind === "inject"
        ? this.touchUpdate(interaction, decision.assign, numbering)
        : this.put({ ...items.interaction(interaction), ...lastEventOf(numbering, interaction.id) }, notExists),
    ]);
    // A new interaction is linked from the customer number's partition (export and erasure find it there).
    if (decision.kind !== "inject") writes.push([undefined, this.put(items.interactionLink(interaction))]);
    // An agent joins once: written only when the send found them outside the live group, on the
    // condition that they still are (else their other send got there first: decide again).
    if (plan.newParticipant) {
      const participant = {
        ...keys.participant(interaction.id, plan.participant.agentId),
        itemType: "participant" satisfies ItemType,
        ...plan.participant,
      };
      writes.push(["participant", this.put(participant, notExists)]);
    }
    writes.push(...this.eventWrites(events));
    writes.push(...this.messageWrites(message));
    writes.push(["provider", this.check(keys.provider(plan.providerId), storedAttributesAre({ active: true, number: from }))]);
    // Not opted out of this number nor of all of them (re-checked: a STOP or a person's entry
    // may land between the read and this write).
    writes.push(...optOutChecks(this.tableName, to, from));
    // Nor of an opt-out an erasure kept under the number's keyed hash (its records are gone, the opt-out is not).
    writes.push([
      "suppressed",
      this.check(suppression, {
        ConditionExpression: "attribute_not_exists(#pk) OR NOT (contains(#providers, :from) OR contains(#providers, :every))",
        ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#providers": "providerNumbers" },
        ExpressionAttributeValues: { ":from": from, ":every": everyProviderNumber },
      }),
    ]);
    writes.push(...this.profileItems(plan, to, now));
    // Decided without reading the consumer: it must exist, with no time zone that would judge the window otherwise.
    if (plan.unreadConsumerId) {
      writes.push([
        "consumer",
        this.check(keys.consumer(plan.unreadConsumerId), {
          ConditionExpression: "attribute_exists(#pk) AND attribute_not_exists(#timeZone)",
          ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#timeZone": "timeZone" },
        }),
      ]);
    }
    if (plan.idempotency) writes.push(["idempotency", this.put(items.idempotencyKey(plan.idempotency), notExists)]);
    return writes;
  }

  /** An inbound message's transaction: it joins the conversation its lock names, or opens one. */
  inbound(plan: InboundPlan, inboundMessageId: string, numbering: EventNumbering): Write[] {
    const { interaction, message } = plan;
    const to = interaction.to!;
    const from = interaction.from!;
    const events = numbering.number(plan.events);
    const writes: Write[] = [];
    if (plan.join) {
      writes.push(["lock", this.check(keys.conversationLock(to, from), versionIs(plan.join.version))]);
      writes.push(["interaction", this.touchUpdate(interaction, false, numbering)]);
    } else {
      writes.push(["lock", this.put(items.conversationLock(interaction, 1), notExists)]);
      writes.push(["interaction", this.put({ ...items.interaction(interaction), ...lastEventOf(numbering, interaction.id) }, notExists)]);
      writes.push([undefined, this.put(items.interactionLink(interaction))]);
    }
    writes.push([undefined, this.put(items.message(message, this.retention.messageSeconds))]);
    // Unconditional: inbound messages are stamped when processed, so the latest write is the latest message.
    writes.push([undefined, this.put(items.lastInbound(to, from, message.createdAt))]);
    writes.push(...this.eventWrites(events));
    // The keyword's answer is written queued with the inbound message: the change stream sends it.
    if (plan.autoReply) writes.push(...this.messageWrites(plan.autoReply));
    if (plan.consent) writes.push([undefined, this.put(items.consentEntry(plan.consent))]);
    if (plan.optOut === "record") {
      const item = items.optOut(to, from, message.createdAt, (message.body ?? "").trim().slice(0, 20));
      // Recorded once: a second STOP finds it and is not confirmed again.
      writes.push(["opt_out", this.put(item, notExists)]);
    } else if (plan.optOut === "lift") {
      writes.push(["opt_out", { Delete: { TableName: this.tableName, Key: keys.optOut(to, from), ...exists } }]);
    }
    writes.push(["duplicate_inbound", this.put(items.inboundMessage(inboundMessageId, message, this.retention.messageSeconds), notExists)]);
    return writes;
  }

  /** A close's transaction: the interaction closed, its lock (an SMS conversation's) deleted, its event. */
  close(
    interaction: Interaction,
    state: "closed_complete" | "closed_abandoned",
    now: string,
    options: CloseOptions,
    numbering: EventNumbering,
  ): Write[] {
    const events = numbering.number(options.event ? [options.event] : []);
    const writes: Write[] = [["interaction", this.closeUpdate(interaction.id, state, now, options, numbering)]];
    if (interaction.type === "sms" && interaction.from && interaction.to) {
      const lock = keys.conversationLock(interaction.to, interaction.from);
      writes.push(["lock", { Delete: { TableName: this.tableName, Key: lock, ...storedAttributeIs("interactionId", interaction.id) } }]);
    }
    writes.push(...this.eventWrites(events));
    return writes;
  }

  /** A Put of `item`, on `condition` if any. */
  private put(item: Record<string, unknown>, condition?: Condition): TransactItem {
    return { Put: { TableName: this.tableName, Item: item, ...condition } };
  }

  /** A check of the item at `key` that writes nothing. */
  private check(key: ItemKey, condition: Condition): TransactItem {
    return { ConditionCheck: { TableName: this.tableName, Key: key, ...condition } };
  }

  /** The event items of a transaction. */
  private eventWrites(events: ServiceEvent[]): Write[] {
    return events.map((event) => [undefined, this.put(items.event(event, this.retention.eventSeconds))]);
  }

  /** A new message and its by-id item, both kept MESSAGE_RETENTION when set. */
  private messageWrites(message: Message): Write[] {
    const retention = this.retention.messageSeconds;
    return [
      [undefined, this.put(items.message(message, retention))],
      [undefined, this.put(items.messageById(message, retention))],
    ];
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

  private closeUpdate(interactionId: string, state: string, now: string, options: CloseOptions, numbering: EventNumbering): TransactItem {
    const { byAssignee, byActivity } = tableDesign.indexes;
    // MESSAGE_RETENTION: a closed interaction is deleted by TTL that long after it closed.
    const expiry = expiresAfter(now, this.retention.messageSeconds);
    const expires = Object.keys(expiry).length > 0;
    const idle = options.idleSince !== undefined;
    const sequence = sequenceClauses(numbering, interactionId);
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
          ":reason": closeReasonOf(options),
          ...(idle ? { ":idleSince": options.idleSince } : {}),
          ...(expires ? { ":expiresAt": expiry[tableDesign.timeToLiveAttribute] } : {}),
          ...sequence.values,
        },
      },
    };
  }

  /** The number's profile: kept (still this consumer's), created, or moved to a new one (the old one deactivated). */
  private profileItems(plan: InitiationPlan, phoneNumber: string, now: string): Write[] {
    const change = plan.decision.profile;
    if (change.kind === "keep") return [activeProfileHeldBy(this.tableName, phoneNumber, change.consumerId)];
    const profile = plan.newProfile!;
    const pointer = items.activeProfile(profile);
    const history: Write = [undefined, this.put(items.profile(profile))];
    if (change.kind === "create") return [["profile", this.put(pointer, notExists)], history];
    const deactivated: TransactItem = {
      Update: {
        TableName: this.tableName,
        Key: keys.profile(phoneNumber, change.from.createdAt, change.from.profileId),
        UpdateExpression: "SET #active = :false, #deactivatedAt = :now",
        ExpressionAttributeNames: { "#active": "active", "#deactivatedAt": "deactivatedAt" },
        ExpressionAttributeValues: { ":false": false, ":now": now },
      },
    };
    return [["profile", this.put(pointer, storedAttributeIs("profileId", change.from.profileId))], [undefined, deactivated], history];
  }
}

/** The reason a close stores: the one given, else its `interaction.closed` event's, so the interaction and its event agree. */
function closeReasonOf(options: CloseOptions): CloseReason {
  const eventReason = closeReasons.find((reason) => reason === options.event?.data.reason);
  return options.reason ?? eventReason ?? (options.idleSince !== undefined ? "idle" : "closed_by_agent");
}
