/** A configured messaging provider: a send-from number of channel `sms`, active or not. */
export interface Provider {
  id: string;
  number: string;
  name: string;
  channel: "sms";
  active: boolean;
  /** Message parts (segments) per second the number may send; absent: no pacing by the service. */
  mps?: number;
  /** A message not handed over this long after it was accepted (or retried) ends `failed` `VALIDITY_EXPIRED`. Default 3600. */
  validForSeconds?: number;
  /** This number's own send window (`HH:MM-HH:MM`, the recipient's local time), instead of the service's SEND_WINDOW. */
  sendWindow?: string;
  createdAt: string;
  updatedAt: string;
}

/** An active provider as the Compose SMS screen offers it. */
export interface SendFromOption {
  number: string;
  providerId: string;
  name: string;
}

export const defaultValidForSeconds = 3600;
