/** "This phone number, on the SMS channel, is this consumer." At most one active per number. */
export interface ChannelUserProfile {
  id: string;
  phoneNumber: string;
  channel: "sms";
  consumerId: string;
  active: boolean;
  createdAt: string;
  deactivatedAt?: string;
}

/** The number's active profile as the send decision reads it. */
export interface ActiveProfileRef {
  profileId: string;
  consumerId: string;
  createdAt: string;
}
