/** An SNS record's message as JSON, or undefined when it is not JSON (schema validation then says what is wrong). */
export function snsMessageJson(message: string): unknown {
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}
