import type { ActiveProfileRef } from "../model/channel-user-profile";
import type { ConversationLock } from "../model/conversation-lock";
import type { Decision, ProfileChange } from "../model/initiation";

/**
 * What an agent's SMS does to the conversation key (provider number, customer number): the spec's
 * table as a pure function of what was read. The caller applies the outcome as one transaction that
 * re-checks every assumption named here, and decides again if any changed.
 *
 * | situation                                         | outcome                  |
 * | ------------------------------------------------- | ------------------------ |
 * | number's profile is another consumer's, no confirm | reject (409)             |
 * | no active SMS interaction                         | created                  |
 * | active, another consumer's                        | replaced_other_consumer  |
 * | active, handled by the virtual agent              | replaced_virtual_agent   |
 * | active, waiting in the queue                      | injected, and assigned   |
 * | active, handled by an agent                       | injected, no reassignment|
 *
 * The number's profile stays (keep), is created, or moves to this consumer. Decided on nothing
 * read, the number is taken to be this consumer's (`ownProfileAssumed`), which is what the
 * transaction's re-check of a kept profile asks anyway.
 */
export interface InitiationState {
  consumerId: string;
  /** The conversation lock of (from, to), if an SMS interaction is active on it. */
  lock: ConversationLock | undefined;
  /** The number's active channel user profile, if any, or `ownProfileAssumed` when it was not read. */
  activeProfile: ActiveProfileRef | typeof ownProfileAssumed | undefined;
  confirmReassociation: boolean;
}

/** Deciding on nothing read: the number's profile is taken to be the sending consumer's (the transaction checks it). */
export const ownProfileAssumed = "own profile assumed";

export function decideInitiation(state: InitiationState): Decision {
  const { consumerId, lock, activeProfile } = state;
  const heldByOther = typeof activeProfile === "object" && activeProfile.consumerId !== consumerId ? activeProfile : undefined;
  if (heldByOther && !state.confirmReassociation) {
    return { kind: "reassociation_required", currentConsumerId: heldByOther.consumerId };
  }
  const profile: ProfileChange = !activeProfile
    ? { kind: "create" }
    : heldByOther
      ? { kind: "move", from: heldByOther }
      : { kind: "keep", consumerId };

  if (!lock) return { kind: "create", outcome: "created", profile };
  if (lock.consumerId !== null && lock.consumerId !== consumerId) {
    return { kind: "replace", outcome: "replaced_other_consumer", close: lock, profile };
  }
  switch (lock.handler) {
    case "virtual_agent":
      return { kind: "replace", outcome: "replaced_virtual_agent", close: lock, profile };
    case "queue":
      return { kind: "inject", outcome: "injected", join: lock, assign: true, profile };
    case "agent":
      return { kind: "inject", outcome: "injected", join: lock, assign: false, profile };
  }
}
