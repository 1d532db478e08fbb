import { addCounts, noCounts, type Erasure } from "../core/model/erasure";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import type { ConversationStore } from "../core/ports/conversation-store";
import type { InteractionReader } from "../core/ports/interaction-store";
import type { NumberHasher } from "../core/ports/number-hasher";
import type { PrivacyStore, StepCounts } from "../core/ports/privacy-store";
import { eventsOf } from "../core/rules/event-catalogue";

export interface RunErasuresDeps {
  privacy: PrivacyStore;
  conversations: Pick<ConversationStore, "closeInteraction">;
  interactions: InteractionReader;
  numberHasher: NumberHasher | undefined;
  clock: Clock;
  ids: IdGenerator;
}

export interface ErasureRun {
  /** Erasures that completed in this run. */
  completed: string[];
  /** Steps saved in this run. */
  steps: number;
  /** Erasures still running when the run's time was up (the next run goes on). */
  paused: string[];
}

/** An erasure step failed: the run went on with the others and failed at its end (the next run resumes from the last saved step). */
export class ErasureFailed extends Error {
  constructor(readonly failures: { erasureId: string; error: unknown }[]) {
    super(
      `${failures.length} erasure(s) failed a step: ${failures.map((failure) => `${failure.erasureId}: ${String(failure.error)}`).join("; ")}`,
    );
    this.name = "ErasureFailed";
  }
}

/**
 * The erasure worker, run on a schedule (every minute on AWS, every 2 s by `npm start`): takes
 * the running erasures, oldest first, and moves each one step by step until it completes or the
 * run's time is up. Every step is idempotent and saved in the erasure's record over the version it
 * read, so a crash (or a run that overlaps another) loses at most the step in flight, which the
 * next run does again; the counts stay exact because what an erasure already redacted is counted
 * as it was the first time.
 */
export async function runErasures(
  deps: RunErasuresDeps,
  options: { deadline: number; interactionsPerStep?: number; maxSteps?: number },
): Promise<ErasureRun> {
  const run: ErasureRun = { completed: [], steps: 0, paused: [] };
  const failures: { erasureId: string; error: unknown }[] = [];
  for (const erasureId of await deps.privacy.listRunning(25)) {
    if (Date.now() >= options.deadline) {
      run.paused.push(erasureId);
      continue;
    }
    try {
      let erasure = await deps.privacy.getErasure(erasureId);
      while (erasure?.status === "running" && Date.now() < options.deadline && run.steps < (options.maxSteps ?? Infinity)) {
        const next = await step(deps, erasure, options.interactionsPerStep ?? 10);
        // Another run saved first: carry on from what it saved.
        erasure = next ?? (await deps.privacy.getErasure(erasureId));
        if (next) run.steps++;
      }
      if (erasure?.status === "completed") run.completed.push(erasureId);
      else if (erasure) run.paused.push(erasureId);
    } catch (error) {
      failures.push({ erasureId, error });
    }
  }
  if (failures.length > 0) throw new ErasureFailed(failures);
  return run;
}

/** Does the erasure's current step and saves the next; undefined when another run saved first. */
async function step(deps: RunErasuresDeps, erasure: Erasure, interactionsPerStep: number): Promise<Erasure | undefined> {
  const e164 = erasure.phoneNumber!;
  const now = deps.clock.now().toISOString();
  const save = async (changes: Partial<Erasure>, counts: StepCounts = {}): Promise<Erasure | undefined> => {
    const next: Erasure = {
      ...erasure,
      ...changes,
      counts: addCounts(erasure.counts, counts),
      updatedAt: now,
      version: erasure.version + 1,
    };
    return (await deps.privacy.saveErasure(erasure, next)) ? next : undefined;
  };
  switch (erasure.step) {
    case "hash": {
      if (!deps.numberHasher)
        throw new Error("no privacy key (PRIVACY_KEY_SECRET_ARN or PRIVACY_KEY_FILE): an erasure cannot keep the opt-outs");
      return save({ step: "link", numberHash: await deps.numberHasher.hash(e164) });
    }
    case "link":
      return save({ step: "interactions" }, await deps.privacy.linkUnlinkedInteractions(e164));
    case "interactions": {
      const { links, more } = await deps.privacy.interactionLinks(e164, {
        limit: interactionsPerStep,
        ...(erasure.cursor !== undefined ? { after: erasure.cursor } : {}),
      });
      let counts = noCounts;
      for (const link of links) {
        const interaction = await deps.interactions.get(link.interactionId);
        // An active interaction is closed first (its conversation key freed, `interaction.closed` written): nobody works on an erased customer.
        if (interaction?.active && interaction.to === e164) {
          await deps.conversations.closeInteraction(interaction, "closed_complete", now, {
            reason: "erased",
            event: eventsOf.interactionClosed(deps.ids.next("evt"), interaction.id, now, "erased", { type: "system" }),
          });
        }
        counts = addCounts(counts, await deps.privacy.redactInteraction(link.interactionId, e164, erasure.id, now));
      }
      return save({ step: more ? "interactions" : "consumers", cursor: links.at(-1)?.position ?? erasure.cursor }, counts);
    }
    case "consumers":
      await deps.privacy.removeFromConsumers(e164);
      return save({ step: "consents" });
    case "consents":
      return save({ step: "consents-delete" }, await deps.privacy.measureConsentHistory(e164));
    case "consents-delete":
      await deps.privacy.deleteConsentHistory(e164);
      return save({ step: "number" });
    case "number": {
      // News (an interaction opened, a consumer listing the number again, while the erasure ran): over them first.
      const measured = await deps.privacy.measureNumberRecords(e164, erasure.cursor);
      return measured.news ? save({ step: "interactions" }) : save({ step: "number-delete" }, measured.counts);
    }
    case "number-delete": {
      const { news } = await deps.privacy.deleteNumberRecords(e164, erasure.cursor, {
        numberHash: erasure.numberHash!,
        erasureId: erasure.id,
        at: now,
      });
      return save({ step: news ? "interactions" : "finish" });
    }
    case "finish": {
      const { phoneNumber: _phoneNumber, cursor: _cursor, ...kept } = erasure;
      const completed: Erasure = { ...kept, status: "completed", completedAt: now, updatedAt: now, version: erasure.version + 1 };
      const done = await deps.privacy.completeErasure(erasure, completed, eventsOf.privacyErased(deps.ids.next("evt"), completed, now));
      return done ? completed : undefined;
    }
  }
}
