import type { ConversationLock } from "../../core/model/conversation-lock";
import type { RecentLocks } from "../../core/ports/recent-locks";

/**
 * The container's memory of conversation locks (RecentLocks), in the process: an agent's next
 * message on a conversation usually comes within minutes, and a guess older than that costs what no
 * guess costs (one cancelled try), so entries live 15 minutes and the oldest go first past 10,000.
 */
export class ContainerRecentLocks implements RecentLocks {
  private readonly entries = new Map<string, { lock: ConversationLock | null; at: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 15 * 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  recall(customerNumber: string, providerNumber: string): ConversationLock | null | undefined {
    const key = `${customerNumber} ${providerNumber}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.lock ? structuredClone(entry.lock) : null;
  }

  remember(customerNumber: string, providerNumber: string, lock: ConversationLock | null): void {
    const key = `${customerNumber} ${providerNumber}`;
    // Re-inserted last: the Map's order is the order of use, oldest first.
    this.entries.delete(key);
    this.entries.set(key, { lock: lock ? structuredClone(lock) : null, at: this.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
