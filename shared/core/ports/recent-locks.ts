import type { ConversationLock } from "../model/conversation-lock";

/**
 * What this container's own sends last wrote or found on a conversation key (provider number,
 * customer number), kept without a read: a lock, `null` for "none", `undefined` for "not known".
 * Possibly stale (another container's send, a close), so only ever an assumption that a
 * transaction re-checks; its use is to guess right, so that a send decided on nothing read is not
 * cancelled just because a conversation runs on the key.
 */
export interface RecentLocks {
  recall(customerNumber: string, providerNumber: string): ConversationLock | null | undefined;
  remember(customerNumber: string, providerNumber: string, lock: ConversationLock | null): void;
}
