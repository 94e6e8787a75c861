import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlertingProps {
  /** Encrypts both topics: a slot-filled alert names a date and time, an alarm can quote an error. */
  readonly key: kms.IKey;
  /** Staff address for "slot filled" alerts; none means subscribe later in the console. */
  readonly slotFilledEmail?: string;
  /** On-call address for alarms; falls back to the staff address. */
  readonly opsEmail?: string;
}

/**
 * Two audiences, two topics: front-desk staff want "slot filled" (business events the functions publish),
 * whoever runs the deployment wants alarms. Mixing them trains staff to ignore the inbox.
 */
export class Alerting extends Construct {
  readonly slotFilledTopic: sns.Topic;
  readonly opsTopic: sns.Topic;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.slotFilledTopic = new sns.Topic(this, 'SlotFilledTopic', {
      displayName: 'Clinic backfill: slot filled',
      masterKey: props.key,
      enforceSSL: true,
    });
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'Clinic backfill: alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.slotFilledEmail) {
      this.slotFilledTopic.addSubscription(new subscriptions.EmailSubscription(props.slotFilledEmail));
    }
    const opsEmail = props.opsEmail ?? props.slotFilledEmail;
    if (opsEmail) this.opsTopic.addSubscription(new subscriptions.EmailSubscription(opsEmail));
    this.action = new actions.SnsAction(this.opsTopic);
  }

  /** Any unhandled error: handlers map expected failures to responses, so an Errors datapoint is a bug. */
  alarmOnFunctionErrors(fn: lambda.IFunction, label: string): cloudwatch.Alarm {
    return this.alarm(`${label}Errors`, {
      alarmDescription: `${label}: the function threw (see its log group)`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
    });
  }

  /** API Gateway 5xx: Twilio retries to the fallback URL, so replies may be lost while this fires. */
  alarmOnApi5xx(api: apigwv2.IHttpApi): cloudwatch.Alarm {
    return this.alarm('Api5xx', {
      alarmDescription: 'HTTP API answered 5xx: webhooks or the dashboard are failing',
      metric: api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
    });
  }

  /** One message is enough: each one is a slot whose next batch or hold expiry never ran. */
  alarmOnQueueDepth(
    queue: sqs.IQueue,
    label: string,
    description = 'a scheduled step failed every retry; replay or advance the slot by hand',
  ): cloudwatch.Alarm {
    return this.alarm(`${label}Depth`, {
      alarmDescription: `${label}: ${description}`,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Max',
      }),
      threshold: 1,
    });
  }

  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic at night is normal, not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}
