import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SendClaim, StoredMessage } from "../../core/model/message";
import type { OptOutCheckedWrite, OutboundQueue, PromoteWrite, QueueWrite, SendVerdict } from "../../core/ports/outbound-queue";
import { claimFrom, pipelineErrorCodes, scheduledMoves, verdictFrom } from "../../core/rules/message-status";
import { fromItem, items, pendingIndexAttributes, pendingIndexNames } from "./items";
import { newConsentEntryId, newEventId, refOf, updateMessage, updateMessageWithEvents, type MessageCheck } from "./message-updates";
import type { ConsentEntry } from "../../core/model/consent";
import { eventsOf } from "../../core/rules/event-catalogue";
import type { PlannedEvent } from "../../core/model/service-event";
import { queryAll } from "./query-pages";
import { keys, tableDesign } from "./table-design";
import { Expression } from "./update-expression";
import { optOutChecksOf, putOptOutInForce } from "./opt-out-items";
import { activeProfileHeldBy } from "./profile-store";
import type { Cancellation, Named, TransactItem } from "./transaction";

const pending = tableDesign.indexes.pendingBySender;

/**
 * The hand-over's writes on the single table. Each is one transaction around the message's
 * conditional update (with its `message.status_changed` event; the claim and the promotion with the
 * opt-out checks, the carrier's opt-out with the opt-out item), so the database decides who sends: a
 * claim only from `queued` and only while no opt-out is in force, a verdict only under the same claim.
 */
export class DynamoOutboundQueue implements OutboundQueue {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** How long events are kept (TTL). */
    private readonly eventRetentionSeconds = 7 * 24 * 3600,
  ) {}

  async claim(message: StoredMessage, claim: SendClaim): Promise<OptOutCheckedWrite> {
    const e = new Expression();
    e.set("status", "sending");
    e.set("claim", claim);
    e.remove("notBefore");
    // Still queued, and the same attempt as the record read (not put back or retried since).
    const conditions = [
      `${e.name("status")} = ${e.value("queued", claimFrom)}`,
      e.equalsAsRead("throttled", message.throttled),
      e.equalsAsRead("retriedAt", message.retriedAt),
    ];
    const { notBefore: _notBefore, ...rest } = message;
    const after: StoredMessage = { ...rest, status: "sending", claim };
    // A STOP (or a person's opt-out) that landed after the send was accepted stops it here, the
    // last write before the transport: a message waiting for its pacing slot or after a throttle.
    return this.changeStatus(message, e, conditions, after, claim.at, {
      checks: optOutChecksOf(this.tableName, message),
      // The message's own condition is answered as a refusal before this.
      refused: (by): OptOutCheckedWrite | undefined => (by.failed("opt_out") ? { done: false, optedOut: true, message } : undefined),
    });
  }

  async recordVerdict(message: StoredMessage, claimId: string, verdict: SendVerdict): Promise<QueueWrite> {
    const e = new Expression();
    e.set("status", verdict.status);
    if (verdict.status === "sent") {
      e.set("providerMessageId", verdict.providerMessageId);
      e.set("sentAt", verdict.at);
    } else {
      e.set("errorCode", verdict.errorCode);
      e.set("failedAt", verdict.at);
    }
    e.remove(...pendingIndexNames, "claim");
    const conditions = this.heldBy(e, claimId);
    const { claim: _claim, ...rest } = message;
    const after: StoredMessage =
      verdict.status === "sent"
        ? { ...rest, status: "sent", providerMessageId: verdict.providerMessageId, sentAt: verdict.at }
        : { ...rest, status: "failed", errorCode: verdict.errorCode, failedAt: verdict.at };
    if (verdict.status === "sent" || !verdict.optedOut) return this.changeStatus(message, e, conditions, after, verdict.at);
    return this.changeStatus(message, e, conditions, after, verdict.at, this.carrierOptOut(message, verdict.at));
  }

  putBack(message: StoredMessage, claimId: string, change: { notBefore: string; throttled: number }): Promise<QueueWrite> {
    const e = new Expression();
    e.set("status", claimFrom);
    e.set("notBefore", change.notBefore);
    e.set("throttled", change.throttled);
    e.remove("claim");
    const { claim: _claim, ...rest } = message;
    const after: StoredMessage = { ...rest, status: "queued", notBefore: change.notBefore, throttled: change.throttled };
    return this.changeStatus(message, e, this.heldBy(e, claimId), after, new Date().toISOString());
  }

  endQueued(message: StoredMessage, errorCode: string, at: string): Promise<QueueWrite> {
    const e = new Expression();
    this.fail(e, errorCode, at);
    // Still queued and the same attempt as read: a late sender must not end a retry made since.
    const conditions = [
      `${e.name("status")} = ${e.value("queued", claimFrom)}`,
      e.equalsAsRead("throttled", message.throttled),
      e.equalsAsRead("retriedAt", message.retriedAt),
    ];
    return this.changeStatus(message, e, conditions, failed(message, errorCode, at), at);
  }

  endLapsedClaim(message: StoredMessage, at: string): Promise<QueueWrite> {
    if (!message.claim) return Promise.resolve({ done: false, message });
    const e = new Expression();
    this.fail(e, pipelineErrorCodes.outcomeUnknown, at);
    const conditions = [...this.heldBy(e, message.claim.id), `${e.name("claim")}.${e.name("leaseUntil")} < ${e.value("at", at)}`];
    return this.changeStatus(message, e, conditions, failed(message, pipelineErrorCodes.outcomeUnknown, at), at);
  }

  redispatch(message: StoredMessage, at: string, sweeps?: number): Promise<QueueWrite> {
    const e = new Expression();
    e.set("redispatchedAt", at);
    if (sweeps !== undefined) e.set("sweeps", sweeps);
    return this.update(message, e, [`${e.name("status")} = ${e.value("queued", claimFrom)}`]);
  }

  async firstPendingOnKey(providerNumber: string, customerNumber: string, exceptId?: string): Promise<StoredMessage | undefined> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: pending.indexName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :key)",
        ExpressionAttributeNames: { "#pk": pending.partitionKey, "#sk": pending.sortKey },
        ExpressionAttributeValues: { ":pk": keys.pendingPartition(providerNumber), ":key": keys.pendingKeyPrefix(customerNumber) },
        Limit: 2,
      }),
    );
    return (Items ?? []).map((item) => fromItem<StoredMessage>(item)).find((message) => message.id !== exceptId);
  }

  async pendingFrom(providerNumber: string): Promise<StoredMessage[]> {
    const found = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: pending.indexName,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": pending.partitionKey },
      ExpressionAttributeValues: { ":pk": keys.pendingPartition(providerNumber) },
    });
    return found.map((item) => fromItem<StoredMessage>(item));
  }

  async dueScheduled(now: string, limit: number): Promise<StoredMessage[]> {
    const found: StoredMessage[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: pending.indexName,
          KeyConditionExpression: "#pk = :pk AND #sk <= :upTo",
          ExpressionAttributeNames: { "#pk": pending.partitionKey, "#sk": pending.sortKey },
          // `<scheduledFor>#<id>`: every id sorts below U+FFFF, so this includes what is due at `now` exactly.
          ExpressionAttributeValues: { ":pk": keys.scheduledPartition, ":upTo": `${now}#\uffff` },
          Limit: limit - found.length,
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...(page.Items ?? []).map((item) => fromItem<StoredMessage>(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey && found.length < limit);
    return found;
  }

  async promoteScheduled(message: StoredMessage, at: string, consumerId?: string): Promise<PromoteWrite> {
    const e = new Expression();
    e.set("status", scheduledMoves.promote.to);
    e.set("promotedAt", at);
    // From the SCHEDULED partition of gsi4 to its send-from number's pending one.
    for (const [attribute, value] of Object.entries(pendingIndexAttributes(message))) e.set(attribute, value);
    const conditions = [`${e.name("status")} = ${e.value("scheduled", scheduledMoves.promote.from)}`];
    const after: StoredMessage = { ...message, status: scheduledMoves.promote.to, promotedAt: at };
    // Still the customer's number: hours may pass before a scheduled message goes, and a send for
    // another customer may have moved the number's profile to them meanwhile.
    const stillTheirs = consumerId === undefined ? [] : [activeProfileHeldBy(this.tableName, message.to, consumerId)];
    return this.changeStatus(message, e, conditions, after, at, {
      checks: [...stillTheirs, ...optOutChecksOf(this.tableName, message)],
      // The message's own condition is answered as a refusal before this; then an opt-out, then the profile.
      refused: (by): PromoteWrite | undefined =>
        by.failed("opt_out")
          ? { done: false, optedOut: true, message }
          : by.failed("profile")
            ? { done: false, numberMoved: true, message }
            : undefined,
    });
  }

  endScheduled(message: StoredMessage, errorCode: string, at: string): Promise<QueueWrite> {
    const e = new Expression();
    this.fail(e, errorCode, at);
    const conditions = [`${e.name("status")} = ${e.value("scheduled", scheduledMoves.optedOut.from)}`];
    return this.changeStatus(message, e, conditions, failed(message, errorCode, at), at);
  }

  private fail(e: Expression, errorCode: string, at: string): void {
    e.set("status", "failed");
    e.set("errorCode", errorCode);
    e.set("failedAt", at);
    e.remove(...pendingIndexNames, "claim", "notBefore");
  }

  /** Conditions: the message is `sending` under this claim. */
  private heldBy(e: Expression, claimId: string): string[] {
    return [
      `${e.name("status")} = ${e.value("sending", verdictFrom)}`,
      `${e.name("claim")}.${e.name("id")} = ${e.value("claimId", claimId)}`,
    ];
  }

  private update(message: StoredMessage, e: Expression, conditions: string[]): Promise<QueueWrite> {
    return updateMessage(this.client, this.tableName, refOf(message), e, conditions);
  }

  /**
   * A status change: the message's conditional update and its `message.status_changed` event, in
   * one transaction, with any `more` items, events and checks (answered by `refused`).
   */
  private changeStatus<Refusal = never>(
    message: StoredMessage,
    e: Expression,
    conditions: string[],
    after: StoredMessage,
    at: string,
    more: {
      extra?: TransactItem[];
      events?: PlannedEvent[];
      checks?: Named<MessageCheck>[];
      refused?: (by: Cancellation<MessageCheck>) => Refusal | undefined;
    } = {},
  ): Promise<QueueWrite | Refusal> {
    return updateMessageWithEvents(this.client, this.tableName, refOf(message), e, conditions, {
      ...more,
      events: [eventsOf.messageStatusChanged(newEventId(), after, at, { type: "system" }), ...(more.events ?? [])],
      after,
      retentionSeconds: this.eventRetentionSeconds,
    });
  }

  /** The carrier refused the recipient: the opt-out is recorded with the failure (kept as it is if one exists), and consent changes. */
  private carrierOptOut(message: StoredMessage, at: string): { extra: TransactItem[]; events: PlannedEvent[] } {
    // The carrier's refusal is a ledger entry, whether or not an opt-out was already in force.
    const entry: ConsentEntry = {
      id: newConsentEntryId(),
      phoneNumber: message.to,
      providerNumber: message.from,
      state: "opted_out",
      source: "carrier",
      evidence: "the transport refused the recipient as opted out",
      messageId: message.id,
      at,
    };
    return {
      extra: [
        { Put: { TableName: this.tableName, Item: items.consentEntry(entry) } },
        putOptOutInForce(this.tableName, message.to, message.from, at, "carrier"),
      ],
      events: [eventsOf.consentChanged(newEventId(), entry, { type: "system" }, message.interactionId)],
    };
  }
}

/** The message ended `failed` by the pipeline itself. */
function failed(message: StoredMessage, errorCode: string, at: string): StoredMessage {
  const { claim: _claim, notBefore: _notBefore, ...rest } = message;
  return { ...rest, status: "failed", errorCode, failedAt: at };
}
