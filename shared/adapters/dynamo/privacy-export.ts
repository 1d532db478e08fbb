import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ChannelUserProfile } from "../../core/model/channel-user-profile";
import type { ConsentEntry } from "../../core/model/consent";
import type { Consumer } from "../../core/model/consumer";
import type { StoredMessage } from "../../core/model/message";
import type { PrivacyExportPage } from "../../core/ports/privacy-store";
import { byCodeUnits } from "../../core/rules/code-unit-order";
import { batchGetAll } from "./batch-get";
import { fromItem, interactionFromItem, isItemOf } from "./items";
import { decodeListCursor, encodeListCursor } from "./list-cursor";
import { queryPrefixPage } from "./query-pages";
import { keys, phonePartition } from "./table-design";

/** Where an export page stands: the section (profiles, consumers, consents, interactions), and the position in it. */
interface ExportPosition {
  /** 0 profiles, 1 consumers, 2 consent history, 3 interactions with their messages, 4 done. */
  s: number;
  /** The sort key read last in the section (interactions: the last link finished). */
  a?: string;
  /** Interactions: the link being read, its interaction, and its last message read. */
  l?: string;
  i?: string;
  m?: string;
}

const exportList = "privacy-export";

/**
 * A page of a number's personal data, `limit` items at most, section after section: its profiles,
 * the consumers listing it, its consent history, then each interaction it took part in with its
 * messages. The cursor says where the next page starts (none after the last).
 */
export async function exportPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  e164: string,
  options: { limit: number; cursor?: string },
): Promise<PrivacyExportPage | "invalid_cursor"> {
  let position: ExportPosition = { s: 0 };
  if (options.cursor !== undefined) {
    const decoded = readPosition(decodeListCursor(options.cursor, exportList, e164));
    if (!decoded) return "invalid_cursor";
    position = decoded;
    // A cursor in an interaction must name one of this number's: a forged one reads nothing else.
    if (position.i !== undefined) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: phonePartition(e164), sk: position.l! }, ConsistentRead: true }),
      );
      if (!Item || !isItemOf(Item, "interactionLink") || Item.interactionId !== position.i) return "invalid_cursor";
    }
  }
  const page: PrivacyExportPage = { profiles: [], consumers: [], consents: [], interactions: [], messages: [] };
  let budget = options.limit;
  const sections: [pk: string, prefix: string][] = [
    [phonePartition(e164), keys.profilePrefix],
    [phonePartition(e164), keys.consumerPhonePrefix],
    [keys.consentPartition(e164), keys.consentEntryPrefix],
  ];
  while (budget > 0 && position.s < 4) {
    if (position.s < 3) {
      const [pk, prefix] = sections[position.s]!;
      const read = await queryPrefixPage(client, tableName, pk, prefix, {
        limit: budget,
        ...(position.a !== undefined ? { after: position.a } : {}),
      });
      budget -= read.items.length;
      if (position.s === 0) page.profiles.push(...read.items.map((item) => fromItem<ChannelUserProfile>(item)));
      if (position.s === 1)
        page.consumers.push(
          ...(await consumersOf(
            client,
            tableName,
            read.items.map((item) => String(item.consumerId)),
          )),
        );
      if (position.s === 2) page.consents.push(...read.items.map((item) => fromItem<ConsentEntry>(item)));
      position = read.lastSortKey ? { s: position.s, a: read.lastSortKey } : { s: position.s + 1 };
      continue;
    }
    if (position.i === undefined) {
      const next = await queryPrefixPage(client, tableName, phonePartition(e164), keys.interactionLinkPrefix, {
        limit: 1,
        ...(position.a !== undefined ? { after: position.a } : {}),
      });
      const link = next.items[0];
      if (!link) {
        position = { s: 4 };
        break;
      }
      const interactionId = String(link.interactionId);
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: keys.interaction(interactionId), ConsistentRead: true }),
      );
      if (Item) {
        page.interactions.push(interactionFromItem(Item));
        budget -= 1;
      }
      position = { s: 3, ...(position.a !== undefined ? { a: position.a } : {}), l: String(link.sk), i: interactionId };
      continue;
    }
    const read = await queryPrefixPage(client, tableName, keys.interaction(position.i).pk, keys.messagePrefix, {
      limit: budget,
      ...(position.m !== undefined ? { after: position.m } : {}),
    });
    budget -= read.items.length;
    page.messages.push(...read.items.map((item) => fromItem<StoredMessage>(item)));
    position = read.lastSortKey ? { ...position, m: read.lastSortKey } : { s: 3, a: position.l! };
  }
  return position.s < 4 ? { ...page, cursor: encodeListCursor(exportList, e164, JSON.stringify(position)) } : page;
}

async function consumersOf(client: DynamoDBDocumentClient, tableName: string, ids: string[]): Promise<Consumer[]> {
  const found = await batchGetAll(client, tableName, ids.map(keys.consumer), { consistentRead: true });
  return found.map((item) => fromItem<Consumer>(item)).sort((a, b) => byCodeUnits(a.id, b.id));
}

/** An export cursor's position, checked field by field (a tampered cursor is refused, not obeyed). */
function readPosition(text: string | undefined): ExportPosition | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const strings = ["a", "l", "i", "m"] as const;
    if (!Number.isInteger(value.s) || (value.s as number) < 0 || (value.s as number) > 3) return undefined;
    for (const name of strings) {
      const field = value[name];
      if (field !== undefined && (typeof field !== "string" || field === "" || Buffer.byteLength(field) > 1024)) return undefined;
    }
    if ((value.i === undefined) !== (value.l === undefined) || (value.i !== undefined && value.s !== 3)) return undefined;
    return value as unknown as ExportPosition;
  } catch {
    return undefined;
  }
}
