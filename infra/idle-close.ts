import { Duration } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Construct } from "constructs";
import { parseDuration } from "../shared/platform/config";
import { ServiceFunction } from "./service-function";

/** How often idle SMS interactions are looked for: an idle one is closed at most this late. */
export const idleCloseInterval = Duration.minutes(15);

/**
 * The run's time budget: the handler pages through idle interactions until 5 s before it, and the
 * next run picks up the rest. Far longer than an API request may take, far shorter than the interval.
 */
export const idleCloseTimeout = Duration.minutes(1);

/**
 * How EventBridge retries handing a tick to Lambda (throttled, or Lambda unavailable). A tick
 * carries nothing: one that could not be delivered in time is replaced by the next one, so no
 * dead-letter queue, and no point delivering it once the next is due.
 */
export const idleCloseDelivery = { retryAttempts: 2, maxEventAge: idleCloseInterval } as const;

export interface IdleCloseProps {
  readonly projectRoot: string;
  readonly table: ITableV2;
  readonly defaultCountry: string;
  /** IDLE_CLOSE_AFTER: `24h`, `90m`, `2d`, seconds... (checked by the stack's context reader). */
  readonly idleCloseAfter: string;
}

/**
 * The service closes SMS interactions idle past IDLE_CLOSE_AFTER, so a stale conversation never
 * captures a customer's next reply: the `idle-close` function, run every 15 minutes by an
 * EventBridge rule. It sends nothing (no SMS transport, no SMS permission).
 */
export class IdleClose extends Construct {
  readonly handler: ServiceFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: IdleCloseProps) {
    super(scope, id);
    // The function's own parser, so a bad value fails the synth rather than the function's cold start.
    parseDuration(props.idleCloseAfter, "idleCloseAfter");
    this.handler = new ServiceFunction(this, "Handler", {
      functionDir: "idle-close",
      purpose: "Idle close",
      description: `Idle close: closes SMS interactions with no message for ${props.idleCloseAfter} (every ${idleCloseInterval.toMinutes()} minutes)`,
      tableAccess: "readWrite",
      projectRoot: props.projectRoot,
      table: props.table,
      defaultCountry: props.defaultCountry,
      timeout: idleCloseTimeout,
      environment: { IDLE_CLOSE_AFTER: props.idleCloseAfter },
    });

    this.schedule = new Rule(this, "Schedule", {
      description: "Runs the idle-close function: closes SMS interactions idle past IDLE_CLOSE_AFTER",
      schedule: Schedule.rate(idleCloseInterval),
      targets: [new LambdaFunction(this.handler.function, idleCloseDelivery)],
    });
  }
}
