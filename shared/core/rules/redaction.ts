/**
 * What an erased number becomes where a record keeps its place (interactions, messages, events):
 * the records stay, their customer number does not. Not an E.164 number, so it can never be sent to.
 */
export const erasedNumber = "erased";

/**
 * `value` with every string that holds `e164` rewritten to say `erased`, and every message body
 * (`body` beside it) set to null with `redacted: true`: what an event's `data` keeps after an
 * erasure. Returns the value itself when nothing changed (so callers can skip the write).
 */
export function redactPersonalValue(value: unknown, e164: string): unknown {
  if (typeof value === "string") return value.includes(e164) ? value.split(e164).join(erasedNumber) : value;
  if (Array.isArray(value)) {
    const mapped = value.map((entry) => redactPersonalValue(entry, e164));
    return mapped.some((entry, index) => entry !== value[index]) ? mapped : value;
  }
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(record)) {
      const next = key === "body" && typeof entry === "string" ? null : redactPersonalValue(entry, e164);
      if (next !== entry) changed = true;
      out[key] = next;
    }
    if (typeof record.body === "string") out.redacted = true;
    return changed ? out : value;
  }
  return value;
}
