import type { ActiveProfileRef } from "../model/channel-user-profile";
import type { ConversationLock } from "../model/conversation-lock";

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
 */
export interface InitiationState {
  consumerId: string;
  /** The conversation lock of (from, to), if an SMS interaction is active on it. */
  lock: ConversationLock | undefined;
  /** The number's active channel user profile, if any. */
  activeProfile: ActiveProfileRef | undefined;
  confirmReassociation: boolean;
}

export type Outcome = "created" | "injected" | "replaced_virtual_agent" | "replaced_other_consumer";

/** What happens to the number's channel user profile. */
export type ProfileChange = { kind: "keep"; profile: ActiveProfileRef } | { kind: "create" } | { kind: "move"; from: ActiveProfileRef };

export type Decision =
  | { kind: "reassociation_required"; currentConsumerId: string }
  | { kind: "create"; outcome: "created"; profile: ProfileChange }
  | { kind: "replace"; outcome: "replaced_virtual_agent" | "replaced_other_consumer"; close: ConversationLock; profile: ProfileChange }
  | { kind: "inject"; outcome: "injected"; join: ConversationLock; assign: boolean; profile: ProfileChange };

export function decideInitiation(state: InitiationState): Decision {
  const { consumerId, lock, activeProfile } = state;
  const heldByOther = activeProfile !== undefined && activeProfile.consumerId !== consumerId;
  if (heldByOther && !state.confirmReassociation) {
    return { kind: "reassociation_required", currentConsumerId: activeProfile.consumerId };
  }
  const profile: ProfileChange = !activeProfile
    ? { kind: "create" }
    : heldByOther
      ? { kind: "move", from: activeProfile }
      : { kind: "keep", profile: activeProfile };

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
