import { requireValidNumber } from "../core/rules/require-valid-number";
import type { ChannelUserProfile } from "../core/model/channel-user-profile";
import type { ProfileStore } from "../core/ports/profile-store";

export async function listProfiles(
  deps: { profiles: Pick<ProfileStore, "listByNumber">; defaultCountry: string },
  phoneNumber: string,
): Promise<{ items: ChannelUserProfile[] }> {
  const { e164 } = requireValidNumber({ phoneNumber, defaultCountry: deps.defaultCountry }, "phoneNumber");
  return { items: await deps.profiles.listByNumber(e164) };
}
