import { TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ConsentEntry } from "../../core/model/consent";
import type { PlannedEvent } from "../../core/model/service-event";
import type { ConsentLedger, ConsentRecord } from "../../core/ports/consent-ledger";
import { byTime } from "../../core/rules/consent";
import { EventNumbering } from "./event-numbering";
import { fromItem, isItemOf, items } from "./items";
import { liftOptOut, putOptOutInForce } from "./opt-out-writes";
import { queryPrefix } from "./query-pages";
import { keys, phonePartition } from "./table-design";

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
  ) {}

  async read(phoneNumber: string): Promise<ConsentRecord> {
    const [entries, optOuts] = await Promise.all([
      queryPrefix(this.client, this.tableName, keys.consentPartition(phoneNumber), keys.consentEntryPrefix, { ConsistentRead: true }),
      queryPrefix(this.client, this.tableName, phonePartition(phoneNumber), keys.optOutPrefix, { ConsistentRead: true }),
    ]);
    return {
      entries: entries
        .filter((item) => isItemOf(item, "consentEntry"))
        .map((item) => fromItem<ConsentEntry>(item))
        .sort(byTime),
      optOuts: optOuts.filter((item) => isItemOf(item, "optOut")).map((item) => String(item.providerNumber)),
    };
  }

  async record(entry: ConsentEntry, event: PlannedEvent): Promise<void> {
    // A person's entry belongs to no interaction: its event is numbered on its own, by its time.
    const [numbered] = new EventNumbering(entry.at, 0).number([event]);
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: items.consentEntry(entry), ConditionExpression: "attribute_not_exists(pk)" } },
          { Put: { TableName: this.tableName, Item: items.consentEvent(numbered!, entry.phoneNumber, this.eventRetentionSeconds) } },
          entry.state === "opted_out"
            ? putOptOutInForce(this.tableName, entry.phoneNumber, entry.providerNumber, entry.at, entry.source)
            : liftOptOut(this.tableName, entry.phoneNumber, entry.providerNumber),
        ],
      }),
    );
  }
}
