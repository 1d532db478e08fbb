import type { SNSEvent } from "aws-lambda";

/** One SNS record's message: as it arrived, parsed as JSON (undefined when it is not JSON), and its id. */
export interface SnsMessage {
  raw: string;
  json: unknown;
  snsMessageId: string;
}

/**
 * The one SNS record loop of the topic-fed functions: each record's message in order, one at a
 * time. A record that throws fails the invocation, so SNS/Lambda retry it and then park it in the
 * dead-letter queue; the functions are written so that a redelivered record changes nothing.
 */
export async function eachSnsMessage<T>(event: SNSEvent, handle: (message: SnsMessage) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (const record of event.Records) {
    results.push(await handle({ raw: record.Sns.Message, json: parseJson(record.Sns.Message), snsMessageId: record.Sns.MessageId }));
  }
  return results;
}

/** Undefined when the message is not JSON: schema validation then says what is wrong. */
function parseJson(message: string): unknown {
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}
