import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  PinpointSMSVoiceV2Client,
  ResourceNotFoundException,
  SendTextMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import {
  AuthorizationErrorException,
  CheckIfPhoneNumberIsOptedOutCommand,
  InternalErrorException,
  InvalidParameterException,
  InvalidParameterValueException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTransport } from "../../shared/adapters/sms/create-transport";
import { EndUserMessagingTransport } from "../../shared/adapters/sms/end-user-messaging-transport";
import { OutboxTransport } from "../../shared/adapters/sms/outbox-transport";
import { SmsSendError, type OutboundSms } from "../../shared/core/ports/sms-transport";
import { SnsTransport } from "../../shared/adapters/sms/sns-transport";

const sms: OutboundSms = { messageId: "msg_01", from: "+14155550100", to: "+447700900123", body: "Your parcel is on its way" };
const $metadata = { httpStatusCode: 400, requestId: "req-1" };

const snsMock = mockClient(SNSClient);
const eumMock = mockClient(PinpointSMSVoiceV2Client);
beforeEach(() => {
  snsMock.reset();
  eumMock.reset();
});

/** The SmsSendError a send rejects with (fails the test if it resolves or throws anything else). */
async function refusal(send: Promise<unknown>): Promise<SmsSendError> {
  const error = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmsSendError);
  return error as SmsSendError;
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} sns.eu-west-1.amazonaws.com`), {
    code,
    $metadata: { attempts: 3, totalRetryDelay: 300 },
  });
}

function timeoutError(): Error {
  return Object.assign(new Error("@smithy/node-http-handler - the request socket timed out after 2000 ms of inactivity"), {
    name: "TimeoutError",
    $metadata: {},
  });
}

function abortError(): Error {
  return Object.assign(new Error("Request aborted"), { name: "AbortError" });
}

describe("SmsSendError", () => {
  it("stays constructible as before: code and message, not retryable", () => {
    const error = new SmsSendError("X", "refused");
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "SmsSendError", code: "X", message: "refused", retryable: false });
    expect(error.cause).toBeUndefined();
  });

  it("takes retryable and the cause as options", () => {
    const cause = new Error("underlying");
    expect(new SmsSendError("THROTTLED", "slow down", { retryable: true, cause })).toMatchObject({ retryable: true, cause });
  });
});

describe("SnsTransport", () => {
  const transport = new SnsTransport(new SNSClient({ region: "eu-west-1" }));

  it("checks the opt-out, then publishes to the customer from the provider number, transactional, and answers SNS's MessageId", async () => {
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
    snsMock.on(PublishCommand).resolves({ MessageId: "sns-mid-1" });

    await expect(transport.send(sms)).resolves.toEqual({ providerMessageId: "sns-mid-1" });

    expect(snsMock.commandCalls(CheckIfPhoneNumberIsOptedOutCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(CheckIfPhoneNumberIsOptedOutCommand)[0]!.args[0].input).toEqual({ phoneNumber: "+447700900123" });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      PhoneNumber: "+447700900123",
      Message: "Your parcel is on its way",
      MessageAttributes: {
        "AWS.MM.SMS.OriginationNumber": { DataType: "String", StringValue: "+14155550100" },
        "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
      },
    });
    // The check comes first.
    expect(snsMock.calls().map((call) => call.args[0].constructor.name)).toEqual(["CheckIfPhoneNumberIsOptedOutCommand", "PublishCommand"]);
  });

  it("refuses an opted-out number with RECIPIENT_OPTED_OUT, not retryable, and publishes nothing", async () => {
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: true });
    snsMock.on(PublishCommand).resolves({ MessageId: "never" });

    const error = await refusal(transport.send(sms));

    expect(error).toMatchObject({ code: "RECIPIENT_OPTED_OUT", retryable: false });
    expect(snsMock.commandCalls(CheckIfPhoneNumberIsOptedOutCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it("skips the opt-out check when built with checkOptOut: false", async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: "sns-mid-2" });

    await expect(new SnsTransport(new SNSClient({ region: "eu-west-1" }), { checkOptOut: false }).send(sms)).resolves.toEqual({
      providerMessageId: "sns-mid-2",
    });

    expect(snsMock.commandCalls(CheckIfPhoneNumberIsOptedOutCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it("refuses when SNS accepts without a message id", async () => {
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
    snsMock.on(PublishCommand).resolves({});
    expect(await refusal(transport.send(sms))).toMatchObject({ code: "NO_MESSAGE_ID", retryable: false });
  });

  const publishFailures: Array<[string, string, boolean, () => unknown]> = [
    ["ThrottledException", "THROTTLED", true, () => new ThrottledException({ message: "Rate exceeded", $metadata })],
    [
      "an unmodelled 'Throttled'",
      "THROTTLED",
      true,
      () => Object.assign(new Error("Rate exceeded"), { name: "Throttled", $fault: "client", $metadata }),
    ],
    [
      "ThrottlingException",
      "THROTTLED",
      true,
      () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $fault: "client", $metadata }),
    ],
    [
      "any error with $retryable.throttling",
      "THROTTLED",
      true,
      () => Object.assign(new Error("slow"), { name: "SomethingElse", $fault: "client", $retryable: { throttling: true }, $metadata }),
    ],
    [
      "InvalidParameterException",
      "INVALID_PARAMETER",
      false,
      () => new InvalidParameterException({ message: "Invalid parameter: PhoneNumber", $metadata }),
    ],
    [
      "InvalidParameterValueException",
      "INVALID_PARAMETER",
      false,
      () => new InvalidParameterValueException({ message: "Invalid parameter value", $metadata }),
    ],
    [
      "AuthorizationErrorException",
      "AuthorizationErrorException",
      false,
      () => new AuthorizationErrorException({ message: "not authorized", $metadata: { httpStatusCode: 403 } }),
    ],
    [
      "InternalErrorException (5xx)",
      "InternalErrorException",
      true,
      () => new InternalErrorException({ message: "internal", $metadata: { httpStatusCode: 500 } }),
    ],
    ["TimeoutError", "TRANSPORT_TIMEOUT", true, timeoutError],
    ["AbortError", "TRANSPORT_TIMEOUT", true, abortError],
    ["ETIMEDOUT", "TRANSPORT_TIMEOUT", true, () => networkError("ETIMEDOUT")],
    ["ECONNRESET", "TRANSPORT_ERROR", true, () => networkError("ECONNRESET")],
    ["ENOTFOUND", "TRANSPORT_ERROR", true, () => networkError("ENOTFOUND")],
    ["a non-AWS error of no known kind", "TRANSPORT_ERROR", false, () => new TypeError("boom")],
  ];

  it.each(publishFailures)("maps a Publish failure, %s, to %s (retryable: %s)", async (_label, code, retryable, makeError) => {
    const cause = makeError();
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
    snsMock.on(PublishCommand).rejects(cause as Error);

    const error = await refusal(transport.send(sms));

    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.cause).toBe(cause);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it("maps a failing opt-out check the same way, and publishes nothing", async () => {
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).rejects(new ThrottledException({ message: "Rate exceeded", $metadata }));

    expect(await refusal(transport.send(sms))).toMatchObject({ code: "THROTTLED", retryable: true });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it("keeps the body and the phone numbers out of the error message", async () => {
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
    snsMock
      .on(PublishCommand)
      .rejects(new InvalidParameterException({ message: `Invalid parameter: PhoneNumber Reason: ${sms.to}`, $metadata }));

    const error = await refusal(transport.send(sms));

    expect(error.message).not.toContain(sms.to);
    expect(error.message).not.toContain(sms.body);
  });
});

describe("EndUserMessagingTransport", () => {
  const transport = new EndUserMessagingTransport(new PinpointSMSVoiceV2Client({ region: "eu-west-1" }), "sms-receipts");

  it("sends a transactional text from the provider number through the configuration set, our message id in Context, and answers its MessageId", async () => {
    eumMock.on(SendTextMessageCommand).resolves({ MessageId: "eum-mid-1" });

    await expect(transport.send(sms)).resolves.toEqual({ providerMessageId: "eum-mid-1" });

    expect(eumMock.commandCalls(SendTextMessageCommand)).toHaveLength(1);
    expect(eumMock.commandCalls(SendTextMessageCommand)[0]!.args[0].input).toEqual({
      DestinationPhoneNumber: "+447700900123",
      OriginationIdentity: "+14155550100",
      MessageBody: "Your parcel is on its way",
      MessageType: "TRANSACTIONAL",
      ConfigurationSetName: "sms-receipts",
      Context: { messageId: "msg_01" },
    });
  });

  it("needs a configuration set name", () => {
    expect(() => new EndUserMessagingTransport(new PinpointSMSVoiceV2Client({ region: "eu-west-1" }), "")).toThrow(/configuration set/);
  });

  it("refuses when the service accepts without a message id", async () => {
    eumMock.on(SendTextMessageCommand).resolves({});
    expect(await refusal(transport.send(sms))).toMatchObject({ code: "NO_MESSAGE_ID", retryable: false });
  });

  const sendFailures: Array<[string, string, boolean, () => unknown]> = [
    [
      "ThrottlingException",
      "THROTTLED",
      true,
      () => new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 429 } }),
    ],
    [
      "ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT (how the service answers an opted-out number)",
      "RECIPIENT_OPTED_OUT",
      false,
      () =>
        new ConflictException({
          message: "opted out",
          Reason: "DESTINATION_PHONE_NUMBER_OPTED_OUT",
          ResourceType: "opt-out-list",
          ResourceId: "Default",
          $metadata,
        }),
    ],
    [
      "ValidationException carrying the DESTINATION_PHONE_NUMBER_OPTED_OUT reason",
      "RECIPIENT_OPTED_OUT",
      false,
      () =>
        new ValidationException({
          message: "opted out",
          Reason: "DESTINATION_PHONE_NUMBER_OPTED_OUT" as ValidationException["Reason"],
          $metadata,
        }),
    ],
    [
      "ValidationException INVALID_PARAMETER",
      "INVALID_PARAMETER",
      false,
      () => new ValidationException({ message: "bad", Reason: "INVALID_PARAMETER", $metadata }),
    ],
    [
      "ValidationException CANNOT_ADD_OPTED_OUT_NUMBER (not a send-time opt-out)",
      "INVALID_PARAMETER",
      false,
      () => new ValidationException({ message: "bad", Reason: "CANNOT_ADD_OPTED_OUT_NUMBER", $metadata }),
    ],
    ["ValidationException without a reason", "INVALID_PARAMETER", false, () => new ValidationException({ message: "bad", $metadata })],
    [
      "AccessDeniedException",
      "ACCESS_DENIED",
      false,
      () => new AccessDeniedException({ message: "denied", Reason: "ACCOUNT_DISABLED", $metadata: { httpStatusCode: 403 } }),
    ],
    [
      "ServiceQuotaExceededException",
      "QUOTA_EXCEEDED",
      false,
      () =>
        new ServiceQuotaExceededException({
          message: "spend limit",
          Reason: "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT",
          $metadata: { httpStatusCode: 402 },
        }),
    ],
    [
      "another ConflictException",
      "ConflictException",
      false,
      () => new ConflictException({ message: "not verified", Reason: "DESTINATION_PHONE_NUMBER_NOT_VERIFIED", $metadata }),
    ],
    [
      "ResourceNotFoundException",
      "ResourceNotFoundException",
      false,
      () => new ResourceNotFoundException({ message: "no such configuration set", $metadata: { httpStatusCode: 404 } }),
    ],
    [
      "InternalServerException (5xx)",
      "InternalServerException",
      true,
      () => new InternalServerException({ message: "internal", $metadata: { httpStatusCode: 500 } }),
    ],
    ["TimeoutError", "TRANSPORT_TIMEOUT", true, timeoutError],
    ["AbortError", "TRANSPORT_TIMEOUT", true, abortError],
    ["ECONNREFUSED", "TRANSPORT_ERROR", true, () => networkError("ECONNREFUSED")],
  ];

  it.each(sendFailures)("maps a SendTextMessage failure, %s, to %s (retryable: %s)", async (_label, code, retryable, makeError) => {
    const cause = makeError();
    eumMock.on(SendTextMessageCommand).rejects(cause as Error);

    const error = await refusal(transport.send(sms));

    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.cause).toBe(cause);
  });

  it("names the service's reason in the message of an otherwise unmapped error", async () => {
    eumMock
      .on(SendTextMessageCommand)
      .rejects(new ConflictException({ message: "x", Reason: "DESTINATION_PHONE_NUMBER_NOT_VERIFIED", $metadata }));
    expect((await refusal(transport.send(sms))).message).toContain("DESTINATION_PHONE_NUMBER_NOT_VERIFIED");
  });
});

describe("createTransport", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sms-transport-"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("defaults to the outbox, writing to OUTBOX_FILE", async () => {
    const file = join(dir, "outbox.jsonl");
    const transport = createTransport({ OUTBOX_FILE: file });
    expect(transport).toBeInstanceOf(OutboxTransport);
    expect(transport.name).toBe("outbox");

    await expect(transport.send(sms)).resolves.toEqual({ providerMessageId: "outbox-msg_01" });
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ id: "outbox-msg_01", from: sms.from, to: sms.to, body: sms.body });
    expect(createTransport({ SMS_TRANSPORT: "outbox", OUTBOX_FILE: file })).toBeInstanceOf(OutboxTransport);
  });

  it("builds the SNS transport for SMS_TRANSPORT=sns, sending through the SNS client", async () => {
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
    snsMock.on(PublishCommand).resolves({ MessageId: "sns-mid-3" });

    const transport = createTransport({ SMS_TRANSPORT: "sns" });

    expect(transport).toBeInstanceOf(SnsTransport);
    expect(transport.name).toBe("sns");
    await expect(transport.send(sms)).resolves.toEqual({ providerMessageId: "sns-mid-3" });
    expect(snsMock.commandCalls(CheckIfPhoneNumberIsOptedOutCommand)).toHaveLength(1);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it("builds the End User Messaging transport with SMS_CONFIGURATION_SET", async () => {
    eumMock.on(SendTextMessageCommand).resolves({ MessageId: "eum-mid-2" });

    const transport = createTransport({ SMS_TRANSPORT: "end-user-messaging", SMS_CONFIGURATION_SET: "receipts-set" });

    expect(transport).toBeInstanceOf(EndUserMessagingTransport);
    expect(transport.name).toBe("end-user-messaging");
    await expect(transport.send(sms)).resolves.toEqual({ providerMessageId: "eum-mid-2" });
    expect(eumMock.commandCalls(SendTextMessageCommand)[0]!.args[0].input).toMatchObject({ ConfigurationSetName: "receipts-set" });
  });

  it("refuses end-user-messaging without SMS_CONFIGURATION_SET, naming the variable", () => {
    expect(() => createTransport({ SMS_TRANSPORT: "end-user-messaging" })).toThrow(/SMS_CONFIGURATION_SET/);
    expect(() => createTransport({ SMS_TRANSPORT: "end-user-messaging", SMS_CONFIGURATION_SET: "" })).toThrow(/SMS_CONFIGURATION_SET/);
  });

  it("refuses an unknown SMS_TRANSPORT, listing the accepted ones", () => {
    expect(() => createTransport({ SMS_TRANSPORT: "pinpoint" })).toThrow(
      "SMS_TRANSPORT must be one of outbox, sns, end-user-messaging, not 'pinpoint'",
    );
  });
});
