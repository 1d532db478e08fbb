import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { everyProviderNumber } from "../../core/model/consent";
import type { NumberHasher } from "../../core/ports/number-hasher";
import type { ConsentEntry } from "../../core/model/consent";
import type { PlannedEvent } from "../../core/model/service-event";
import type { ConsentLedger, ConsentRecord } from "../../core/ports/consent-ledger";
import { byTime } from "../../core/rules/consent";
import { EventNumbering } from "./event-numbering";
import { fromItem, isItemOf, items } from "./items";
import { liftOptOut, optOutsInForce, putOptOutInForce } from "./opt-out-items";
import { queryPrefix } from "./query-pages";
import { keys } from "./table-design";
import { notExists } from "./transaction";

/**
 * The consent ledger on the single table: entries in the number's `CONSENT#` partition, the
 * opt-outs in force in its `PHONE#` partition (where the send decision reads them and the send's
 * transaction checks them).
 */
export class DynamoConsentLedger implements ConsentLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly eventRetentionSeconds: number,
    /** The keyed hash of numbers: an administrator's opt-in also lifts what an erasure kept of the opt-out. */
    private readonly numberHasher?: NumberHasher,
  ) {}

  async read(phoneNumber: string): Promise<ConsentRecord> {
    const [entries, optOuts] = await Promise.all([
      queryPrefix(this.client, this.tableName, keys.consentPartition(phoneNumber), keys.consentEntryPrefix, { ConsistentRead: true }),
      optOutsInForce(this.client, this.tableName, phoneNumber),
    ]);
    return {
      entries: entries
        .filter((item) => isItemOf(item, "consentEntry"))
        .map((item) => fromItem<ConsentEntry>(item))
        .sort(byTime),
      optOuts,
    };
  }

  /**
   * An opt-in of a number that was erased while opted out: the kept opt-out of that send-from
   * number (or all of them, for `*`) is lifted in the same transaction. Read first: most numbers
   * have none, and an update must not create one.
   */
  private async liftSuppression(entry: ConsentEntry) {
    if (!this.numberHasher) return [];
    const key = keys.suppression(await this.numberHasher.hash(entry.phoneNumber));
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    const kept = Item?.providerNumbers instanceof Set ? [...(Item.providerNumbers as Set<string>)] : [];
    const lifted = entry.providerNumber === everyProviderNumber ? kept : kept.filter((number) => number === entry.providerNumber);
    if (lifted.length === 0) return [];
    return [
      {
        Update: {
          TableName: this.tableName,
          Key: key,
          UpdateExpression: "DELETE #providers :lifted",
          ExpressionAttributeNames: { "#providers": "providerNumbers" },
          ExpressionAttributeValues: { ":lifted": new Set(lifted) },
        },
      },
    ];
  }

  async record(entry: ConsentEntry, event: PlannedEvent): Promise<void> {
    // A person's entry belongs to no interaction: its event is numbered on its own, by its time.
    const [numbered] = new EventNumbering(entry.at, 0).number([event]);
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: items.consentEntry(entry), ...notExists } },
          { Put: { TableName: this.tableName, Item: items.consentEvent(numbered!, entry.phoneNumber, this.eventRetentionSeconds) } },
          entry.state === "opted_out"
            ? putOptOutInForce(this.tableName, entry.phoneNumber, entry.providerNumber, entry.at, entry.source)
            : liftOptOut(this.tableName, entry.phoneNumber, entry.providerNumber),
          ...(entry.state === "opted_in" ? await this.liftSuppression(entry) : []),
        ],
      }),
    );
  }
}
