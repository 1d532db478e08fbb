import type { ActiveProfileRef, ChannelUserProfile } from "../model/channel-user-profile";

export interface ProfileStore {
  getActive(phoneNumber: string): Promise<ActiveProfileRef | undefined>;
  /** The profile an active-profile pointer names. */
  getProfile(phoneNumber: string, active: ActiveProfileRef): Promise<ChannelUserProfile | undefined>;
  /** Every profile the number has had, newest first. */
  listByNumber(phoneNumber: string): Promise<ChannelUserProfile[]>;
  /** Creates the number's active profile unless one exists (never moves one): true when created. */
  createIfNoneActive(profile: ChannelUserProfile): Promise<boolean>;
}
