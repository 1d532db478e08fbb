import { Duration } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Construct } from "constructs";
import { ServiceFunction } from "./service-function";
import type { ServiceFunctionProps } from "./service-function";

/**
 * How EventBridge retries handing a tick to Lambda (throttled, or Lambda unavailable). A tick
 * carries nothing: one that could not be delivered in time is replaced by the next one, so no
 * dead-letter queue, and no point delivering it once the next is due.
 */
export function scheduledDelivery(interval: Duration): { readonly retryAttempts: number; readonly maxEventAge: Duration } {
  return { retryAttempts: 2, maxEventAge: interval };
}

export interface ScheduledFunctionProps {
  /** The functions-table entry's `everyMinutes`. */
  readonly everyMinutes: number;
  /** What the rule says it runs (its description). */
  readonly ruleDescription: string;
  readonly handler: ServiceFunctionProps;
}

/**
 * A function run by an EventBridge rule at a fixed rate (a functions-table entry with a `schedule`
 * trigger). The function's timeout must be shorter than the interval, so runs never overlap.
 *
 * Construct ids (Handler, Schedule) are part of the logical ids of the deployed resources: keep them.
 */
export class ScheduledFunction extends Construct {
  readonly handler: ServiceFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: ScheduledFunctionProps) {
    super(scope, id);
    if (!Number.isInteger(props.everyMinutes) || props.everyMinutes < 1) {
      throw new Error(`${this.node.path}: a schedule runs every whole number of minutes, at least 1 (got ${props.everyMinutes})`);
    }
    const interval = Duration.minutes(props.everyMinutes);
    const { timeout } = props.handler;
    if (timeout.toSeconds() >= interval.toSeconds()) {
      throw new Error(
        `${this.node.path}: the function's timeout (${timeout.toHumanString()}) must be shorter than its schedule (every ${props.everyMinutes} minutes)`,
      );
    }
    this.handler = new ServiceFunction(this, "Handler", props.handler);
    this.schedule = new Rule(this, "Schedule", {
      description: props.ruleDescription.slice(0, 512),
      schedule: Schedule.rate(interval),
      targets: [new LambdaFunction(this.handler.function, scheduledDelivery(interval))],
    });
  }
}
