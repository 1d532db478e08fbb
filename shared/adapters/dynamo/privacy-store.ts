import type { PrivacyExportPage, PrivacyStore } from "../../core/ports/privacy-store";
import { DynamoPrivacyErasure } from "./privacy-erasure";
import { exportPage } from "./privacy-export";

/**
 * A number's personal data on the single table, for export and erasure: its `PHONE#` partition
 * (consumer links, profiles, locks, opt-outs, last inbound, interaction links), its `CONSENT#`
 * partition, the consumers listing it, and the interactions it took part in (the interaction,
 * its messages and events, in the interaction's partition). The erasure is privacy-erasure.ts's,
 * the export privacy-export.ts's.
 */
export class DynamoPrivacyStore extends DynamoPrivacyErasure implements PrivacyStore {
  exportPage(e164: string, options: { limit: number; cursor?: string }): Promise<PrivacyExportPage | "invalid_cursor"> {
    return exportPage(this.client, this.tableName, e164, options);
  }
}
