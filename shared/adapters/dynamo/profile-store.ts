import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { queryPrefix } from "./query-pages";
import { fromItem, items } from "./items";
import { keys, phonePartition } from "./table-design";
import { notExists, storedAttributeIs, transact, type Named } from "./transaction";
import type { ActiveProfileRef, ChannelUserProfile } from "../../core/model/channel-user-profile";
import type { ProfileStore } from "../../core/ports/profile-store";

export class DynamoProfileStore implements ProfileStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getActive(phoneNumber: string): Promise<ActiveProfileRef | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.activeProfile(phoneNumber), ConsistentRead: true }),
    );
    return Item ? fromItem<ActiveProfileRef>(Item) : undefined;
  }

  async getProfile(phoneNumber: string, active: ActiveProfileRef): Promise<ChannelUserProfile | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.profile(phoneNumber, active.createdAt, active.profileId),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem<ChannelUserProfile>(Item) : undefined;
  }

  async listByNumber(phoneNumber: string): Promise<ChannelUserProfile[]> {
    const items = await queryPrefix(this.client, this.tableName, phonePartition(phoneNumber), keys.profilePrefix, {
      ScanIndexForward: false,
    });
    return items.map((item) => fromItem<ChannelUserProfile>(item));
  }

  async createIfNoneActive(profile: ChannelUserProfile): Promise<boolean> {
    const cancelled = await transact(this.client, [
      ["none_active", { Put: { TableName: this.tableName, Item: items.activeProfile(profile), ...notExists } }],
      [undefined, { Put: { TableName: this.tableName, Item: items.profile(profile) } }],
    ]);
    if (!cancelled) return true;
    if (cancelled.failed("none_active")) return false;
    throw cancelled.error;
  }
}

/**
 * The check that a number's active profile is still this consumer's, whichever profile: a move
 * away and back still leaves it theirs.
 */
export function activeProfileHeldBy(tableName: string, phoneNumber: string, consumerId: string): Named<"profile"> {
  return [
    "profile",
    { ConditionCheck: { TableName: tableName, Key: keys.activeProfile(phoneNumber), ...storedAttributeIs("consumerId", consumerId) } },
  ];
}
