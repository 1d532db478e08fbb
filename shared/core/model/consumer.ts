/** A known customer: numbers in E.164, location an ISO 3166-1 alpha-2 country. */
export interface Consumer {
  id: string;
  name: string;
  location?: string;
  phoneNumbers: string[];
  createdAt: string;
}
