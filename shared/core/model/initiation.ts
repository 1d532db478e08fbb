import type { ActiveProfileRef } from "./channel-user-profile";
import type { ConversationLock } from "./conversation-lock";

/** What an agent's send did to its conversation key (the spec's outcomes; decide-initiation.ts decides). */
export type Outcome = "created" | "injected" | "replaced_virtual_agent" | "replaced_other_consumer";

/** What happens to the number's channel user profile: it stays this consumer's (re-checked as that), is created, or moves here. */
export type ProfileChange = { kind: "keep"; consumerId: string } | { kind: "create" } | { kind: "move"; from: ActiveProfileRef };

/** The decision on one send: refuse for the profile, or create, replace or join, with what happens to the profile. */
export type Decision =
  | { kind: "reassociation_required"; currentConsumerId: string }
  | { kind: "create"; outcome: "created"; profile: ProfileChange }
  | { kind: "replace"; outcome: "replaced_virtual_agent" | "replaced_other_consumer"; close: ConversationLock; profile: ProfileChange }
  | { kind: "inject"; outcome: "injected"; join: ConversationLock; assign: boolean; profile: ProfileChange };
