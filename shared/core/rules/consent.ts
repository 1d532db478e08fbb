import { everyProviderNumber, type ConsentEntry, type ConsentStatus } from "../model/consent";
import type { Message } from "../model/message";
import { byCodeUnits } from "./code-unit-order";

/**
 * Sends from `providerNumber` are refused: the customer opted out of that number, or someone
 * recorded an opt-out of every number (`*`). `optOuts` are the numbers with an opt-out in force.
 */
export function isOptedOut(optOuts: readonly string[], providerNumber: string): boolean {
  return optOuts.includes(providerNumber) || optOuts.includes(everyProviderNumber);
}

/**
 * The current state per send-from number: opted out while an opt-out is in force (the item the
 * send's transaction checks: the truth, even for an opt-out older than the ledger), else what the
 * number's last entry says, else `unknown`. `*` is its own row: it says whether every number is blocked.
 */
export function consentStatuses(entries: readonly ConsentEntry[], optOuts: readonly string[]): ConsentStatus[] {
  const last = new Map<string, ConsentEntry>();
  for (const entry of [...entries].sort(byTime)) last.set(entry.providerNumber, entry);
  const numbers = [...new Set([...last.keys(), ...optOuts])].sort();
  return numbers.map((providerNumber) => {
    const entry = last.get(providerNumber);
    if (optOuts.includes(providerNumber)) {
      return { providerNumber, state: "opted_out", ...(entry?.state === "opted_out" ? { since: entry.at } : {}) };
    }
    if (entry?.state === "opted_in") return { providerNumber, state: "opted_in", since: entry.at };
    return { providerNumber, state: "unknown" };
  });
}

/** Oldest first; entries of the same instant in the order of their ids (which the ledger makes sortable). */
export function byTime(a: ConsentEntry, b: ConsentEntry): number {
  return byCodeUnits(a.at, b.at) || byCodeUnits(a.id, b.id);
}

/**
 * Whether the customer's opt-outs stop this outbound message when it is handed over (or retried):
 * every message but the automatic answers to STOP and HELP. The confirmation of a STOP goes to a
 * number that has just opted out, by design, and HELP is answered to everyone. The answer to START
 * is not exempt: a customer who writes STOP again before it goes does not get "subscribed again".
 */
export function optOutsApplyTo(message: Pick<Message, "answersKeyword">): boolean {
  return message.answersKeyword !== "stop" && message.answersKeyword !== "help";
}
