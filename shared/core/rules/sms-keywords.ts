import type { SmsKeyword } from "../model/message";

const keywords: Record<SmsKeyword, readonly string[]> = {
  stop: ["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT-OUT", "OPT OUT", "REVOKE", "ARRET"],
  start: ["START", "UNSTOP", "YES"],
  help: ["HELP", "INFO"],
};

const byText = new Map<string, SmsKeyword>(
  (Object.entries(keywords) as [SmsKeyword, readonly string[]][]).flatMap(([keyword, texts]) =>
    texts.map((text) => [text, keyword] as const),
  ),
);

export function keywordOf(body: string): SmsKeyword | undefined {
  const text = body
    .trim()
    .replace(/[.!]+$/, "")
    .replace(/\s+/g, " ")
    .toUpperCase();
  return byText.get(text);
}

/** What the service answers, once, to each keyword. */
export const keywordReplies = {
  stop: "You are unsubscribed and will get no more messages from this number. Reply START to subscribe again.",
  start: "You are subscribed again. Reply STOP to unsubscribe, HELP for help.",
} as const;

export const defaultHelpText = "This number is our customer service team's. Reply STOP to unsubscribe.";
