import { ServiceError } from "../core/errors";
import type { PrivacyExportPage, PrivacyStore } from "../core/ports/privacy-store";
import { requireValidNumber } from "../core/rules/require-valid-number";

export type PersonalDataExport = PrivacyExportPage & { phoneNumber: string };

/**
 * `GET /api/now/privacy/export?phoneNumber=`: everything stored about a number, a page at a time:
 * its channel user profiles, the consumers listing it, its consent history, then each interaction
 * it took part in followed by its messages. Each kind comes in its own list; pass `cursor` back
 * for the next page and append. Administrators only (the route says so).
 */
export async function exportPersonalData(
  deps: { privacy: Pick<PrivacyStore, "exportPage">; defaultCountry: string },
  query: { phoneNumber: string; limit?: string; cursor?: string },
): Promise<PersonalDataExport> {
  const { e164 } = requireValidNumber({ phoneNumber: query.phoneNumber, defaultCountry: deps.defaultCountry }, "phoneNumber");
  const page = await deps.privacy.exportPage(e164, {
    limit: Number(query.limit ?? 100),
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  });
  if (page === "invalid_cursor") {
    throw new ServiceError("INVALID_CURSOR", "cursor was not given by this export of this number; start again without it");
  }
  return { phoneNumber: e164, ...page };
}
