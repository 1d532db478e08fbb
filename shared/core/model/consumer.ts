/** A known customer: numbers in E.164, location an ISO 3166-1 alpha-2 country. */
export interface Consumer {
  id: string;
  name: string;
  location?: string;
  /** IANA time zone (`Europe/Paris`): whose local hours the send window is read in, before the number's country. */
  timeZone?: string;
  phoneNumbers: string[];
  createdAt: string;
}
