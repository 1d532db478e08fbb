/**
 * An erasure of everything stored about one phone number (the spec's "Privacy"), run in the
 * background step by step. Its record keeps where it stands, so a crash resumes it instead of
 * starting over; once completed it no longer holds the number in clear, only its keyed hash.
 */
export type ErasureStatus = "running" | "completed";

/**
 * The steps, in order. `hash`: the number's keyed hash (what the record keeps of it, and the key
 * its opt-outs are kept under); `link`: interactions an older version wrote without a link are linked;
 * `interactions`: each linked interaction is closed if active, then its messages, events and the
 * interaction itself redacted; `consumers`: the number leaves every consumer that lists it;
 * `consents`/`number`: the consent history and the number's own records are counted, then
 * deleted (the opt-outs among them kept as a suppression under the keyed hash); `finish`: the
 * record is completed and `privacy.erased` written. An interaction opened while the erasure ran
 * (its link found when the number's records are deleted) sends it back to `interactions`.
 */
export const erasureSteps = [
  "hash",
  "link",
  "interactions",
  "consumers",
  "consents",
  "consents-delete",
  "number",
  "number-delete",
  "finish",
] as const;
export type ErasureStep = (typeof erasureSteps)[number];

export interface ErasureCounts {
  /** Channel user profiles deleted (active and history). */
  profiles: number;
  /** Consumers the number was removed from. */
  consumers: number;
  /** Interactions whose number was replaced (`closedInteractions` of them closed by the erasure). */
  interactions: number;
  closedInteractions: number;
  /** Messages redacted: body null, `redacted: true`, the number replaced. */
  messages: number;
  /** Events redacted (numbers and bodies in `data`), and the consent events deleted. */
  events: number;
  /** Consent ledger entries deleted. */
  consents: number;
  /** Opt-outs in force kept as a suppression (send-from numbers, or `*`), under the keyed hash. */
  optOutsKept: number;
  /** Every item written or deleted, bookkeeping included. */
  itemsTouched: number;
}

export const noCounts: ErasureCounts = {
  profiles: 0,
  consumers: 0,
  interactions: 0,
  closedInteractions: 0,
  messages: 0,
  events: 0,
  consents: 0,
  optOutsKept: 0,
  itemsTouched: 0,
};

export interface Erasure {
  id: string;
  status: ErasureStatus;
  /** The number in clear: only while running (the steps need it), removed when completed. */
  phoneNumber?: string;
  /** HMAC-SHA256 of the number with the service's privacy key: set by the first step, kept. */
  numberHash?: string;
  requestedAt: string;
  /** The administrator's `sub`. */
  requestedBy: string;
  updatedAt: string;
  completedAt?: string;
  step: ErasureStep;
  /** Within `interactions`: the sort key of the last interaction link done. */
  cursor?: string;
  counts: ErasureCounts;
  /** Bumped by every saved step: a step is saved only over the version it read. */
  version: number;
}

/** What `GET /api/now/privacy/erasures/{id}` answers: never the number. */
export interface ErasureReport {
  id: string;
  status: ErasureStatus;
  requestedAt: string;
  requestedBy: string;
  completedAt?: string;
  /** While running: the step it is at. */
  step?: ErasureStep;
  counts: ErasureCounts;
}

export function reportOf(erasure: Erasure): ErasureReport {
  return {
    id: erasure.id,
    status: erasure.status,
    requestedAt: erasure.requestedAt,
    requestedBy: erasure.requestedBy,
    ...(erasure.completedAt ? { completedAt: erasure.completedAt } : {}),
    ...(erasure.status === "running" ? { step: erasure.step } : {}),
    counts: erasure.counts,
  };
}

export function addCounts(a: ErasureCounts, b: Partial<ErasureCounts>): ErasureCounts {
  const sum = { ...a };
  for (const [name, value] of Object.entries(b) as [keyof ErasureCounts, number][]) sum[name] += value;
  return sum;
}
