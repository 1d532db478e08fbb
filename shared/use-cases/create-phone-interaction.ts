import type { ConsumerStore } from "../core/ports/consumer-store";
import { ServiceError } from "../core/errors";
import { requireValidNumber } from "../core/rules/require-valid-number";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import type { Interaction } from "../core/model/interaction";
import type { InteractionStore } from "../core/ports/interaction-store";

export interface CreatePhoneInteractionDeps {
  consumers: Pick<ConsumerStore, "get">;
  interactions: Pick<InteractionStore, "createPhoneInteraction">;
  clock: Clock;
  ids: IdGenerator;
  defaultCountry: string;
}

/** What a telephony integration records: a call from a customer, handled by the agent who took it. */
export async function createPhoneInteraction(
  deps: CreatePhoneInteractionDeps,
  input: { type: "phone"; consumerId: string; phoneNumber: string },
  agentId: string,
): Promise<Interaction> {
  const consumer = await deps.consumers.get(input.consumerId);
  if (!consumer) throw new ServiceError("CONSUMER_NOT_FOUND", `no consumer has id '${input.consumerId}'`);
  const { e164 } = requireValidNumber(
    { phoneNumber: input.phoneNumber, consumerLocation: consumer.location, defaultCountry: deps.defaultCountry },
    "phoneNumber",
  );
  const now = deps.clock.now().toISOString();
  const interaction: Interaction = {
    id: deps.ids.next("int"),
    type: "phone",
    state: "work_in_progress",
    active: true,
    handler: "agent",
    assignedTo: agentId,
    consumerId: consumer.id,
    to: e164,
    createdAt: now,
    updatedAt: now,
    lastActivityAt: now,
  };
  await deps.interactions.createPhoneInteraction(interaction);
  return interaction;
}
