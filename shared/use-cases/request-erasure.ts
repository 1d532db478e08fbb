import { ServiceError } from "../core/errors";
import { noCounts, reportOf, type Erasure, type ErasureReport } from "../core/model/erasure";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import type { PrivacyStore } from "../core/ports/privacy-store";
import { requireValidNumber } from "../core/rules/require-valid-number";

/**
 * `POST /api/now/privacy/erasures`: records the erasure of a number and answers at once (202); the
 * scheduled worker (run-erasures.ts) carries it out. A number whose erasure is running gets that
 * one back, not a second; a number erased before gets a new one, which finds nothing left.
 */
export async function requestErasure(
  deps: { privacy: Pick<PrivacyStore, "startErasure">; clock: Clock; ids: IdGenerator; defaultCountry: string },
  input: { phoneNumber: string },
  caller: { sub: string },
): Promise<ErasureReport> {
  const { e164 } = requireValidNumber({ phoneNumber: input.phoneNumber, defaultCountry: deps.defaultCountry }, "phoneNumber");
  const now = deps.clock.now().toISOString();
  const erasure: Erasure = {
    id: deps.ids.next("era"),
    status: "running",
    phoneNumber: e164,
    requestedAt: now,
    requestedBy: caller.sub,
    updatedAt: now,
    step: "hash",
    counts: noCounts,
    version: 1,
  };
  const started = await deps.privacy.startErasure(erasure);
  return reportOf(started.started ? erasure : started.running);
}

/** `GET /api/now/privacy/erasures/{id}`: where an erasure stands, with its counts; never the number. */
export async function getErasure(deps: { privacy: Pick<PrivacyStore, "getErasure"> }, erasureId: string): Promise<ErasureReport> {
  const erasure = await deps.privacy.getErasure(erasureId);
  if (!erasure) throw new ServiceError("ERASURE_NOT_FOUND", `no erasure has id '${erasureId}'`);
  return reportOf(erasure);
}
