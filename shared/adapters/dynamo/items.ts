import { tableDesign } from "./table-design";

const keyAttributes = new Set<string>([
  tableDesign.partitionKey,
  tableDesign.sortKey,
  tableDesign.timeToLiveAttribute,
  ...Object.values(tableDesign.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
  "itemType",
]);

/** The domain record stored in an item: the item without its key and index attributes. */
export function fromItem<T>(item: Record<string, unknown>): T {
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!keyAttributes.has(name)) record[name] = value;
  }
  return record as T;
}
