import type { ChannelUserProfile } from "../model/channel-user-profile";
import type { ConsentEntry } from "../model/consent";
import type { Consumer } from "../model/consumer";
import type { Erasure, ErasureCounts } from "../model/erasure";
import type { Interaction } from "../model/interaction";
import type { StoredMessage } from "../model/message";
import type { PlannedEvent } from "../model/service-event";

/** One page of what is stored about a number, each kind in its own list; `cursor` when more follow. */
export interface PrivacyExportPage {
  profiles: ChannelUserProfile[];
  consumers: Consumer[];
  consents: ConsentEntry[];
  interactions: Interaction[];
  messages: StoredMessage[];
  cursor?: string;
}

/** An interaction the number took part in, as its partition links it. */
export interface InteractionLink {
  /** Sort key of the link: the position to page after. */
  position: string;
  interactionId: string;
}

/** Whose suppression an erasure writes: the number's keyed hash, the erasure, when. */
export interface SuppressionOrigin {
  numberHash: string;
  erasureId: string;
  at: string;
}

/** What one step did: counts to add to the erasure's. */
export type StepCounts = Partial<ErasureCounts>;

/**
 * Where a number's personal data lives, for export and erasure. Every erasure operation is
 * idempotent and reports the same counts when run again over what it already did (a crash
 * between an operation and the step's save runs it again).
 */
export interface PrivacyStore {
  /** One page of the number's records, after `cursor` (a cursor of this number's export), `limit` records at most. */
  exportPage(e164: string, options: { limit: number; cursor?: string }): Promise<PrivacyExportPage | "invalid_cursor">;

  /** Records a new erasure, unless one of the same number is running: then that one. */
  startErasure(erasure: Erasure): Promise<{ started: true } | { started: false; running: Erasure }>;
  getErasure(erasureId: string): Promise<Erasure | undefined>;
  /** Ids of running erasures, oldest first. */
  listRunning(limit: number): Promise<string[]>;
  /** Saves the next state, only over the version `from` was read at; false when another run got there first. */
  saveErasure(from: Erasure, next: Erasure): Promise<boolean>;
  /** Saves the erasure completed (without the number), ends its run and writes its `privacy.erased` event, in one transaction. */
  completeErasure(from: Erasure, completed: Erasure, event: PlannedEvent): Promise<boolean>;

  /** Links the number's interactions that have no link (written before links existed), found by their consumers and locks. */
  linkUnlinkedInteractions(e164: string): Promise<StepCounts>;
  /** The number's interaction links after `after`, oldest first. */
  interactionLinks(e164: string, options: { after?: string; limit: number }): Promise<{ links: InteractionLink[]; more: boolean }>;
  /** Redacts an interaction (closed first by the caller), its messages and its events. */
  redactInteraction(interactionId: string, e164: string, erasureId: string, at: string): Promise<StepCounts>;
  /** Removes the number from every consumer listing it (counted with the number's records, where their links go). */
  removeFromConsumers(e164: string): Promise<void>;
  /** Counts the number's consent history (entries and their events). */
  measureConsentHistory(e164: string): Promise<StepCounts>;
  deleteConsentHistory(e164: string): Promise<void>;
  /**
   * Counts the number's own records (profiles, links, opt-outs...), unless some are news: an
   * interaction link after `linksDone` (an interaction opened while the erasure ran) or a consumer
   * that lists the number again. Then nothing is counted, and the erasure goes back over them.
   */
  measureNumberRecords(e164: string, linksDone: string | undefined): Promise<{ news: true } | { news: false; counts: StepCounts }>;
  /**
   * Deletes the number's records but the erasure's guard and any news (with the conversation lock
   * of a new interaction), keeping the opt-outs among them as a suppression under the number's
   * keyed hash first (every send's transaction checks it). `news`: the erasure must go back.
   */
  deleteNumberRecords(e164: string, linksDone: string | undefined, keep: SuppressionOrigin): Promise<{ news: boolean }>;
}
