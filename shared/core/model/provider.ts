/** A configured messaging provider: a send-from number of channel `sms`, active or not. */
export interface Provider {
  id: string;
  number: string;
  name: string;
  channel: "sms";
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** An active provider as the Compose SMS screen offers it. */
export interface SendFromOption {
  number: string;
  providerId: string;
  name: string;
}
