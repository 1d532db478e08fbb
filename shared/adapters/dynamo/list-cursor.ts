/**
 * The cursor of a list read in sort-key order: the position to read after, with the list it came
 * from (and its scope, e.g. the interaction), so one list's cursor is refused by another. Opaque to
 * clients (base64url JSON).
 */
export function encodeListCursor(list: string, scope: string, after: string): string {
  return Buffer.from(JSON.stringify({ list, scope, after })).toString("base64url");
}

/** The position a cursor of this list and scope carries; undefined for anything else. */
export function decodeListCursor(text: string, list: string, scope: string): string | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<string, unknown>;
    return value.list === list && value.scope === scope && typeof value.after === "string" ? value.after : undefined;
  } catch {
    return undefined;
  }
}
