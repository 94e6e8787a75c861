import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SWEEP_SCHEDULE } from '../../shared/runtime/scheduled-work.js';
import type { BackfillFunction } from './backfill-function.js';

export interface OfferSchedulerProps {
  /** Physical name of the group the functions create one-shot schedules in. */
  readonly groupName: string;
  /** ARN of the function schedules invoke, built from its fixed name (see StatelessStack). */
  readonly targetFunctionArn: string;
}

/**
 * EventBridge Scheduler plumbing for hold expiries and delayed batches. The schedules themselves are
 * created at run time by the functions (one per slot step), so this construct provides what they pass
 * to CreateSchedule: the group, the role Scheduler assumes, and the dead-letter queue. The retry policy
 * lives with the CreateSchedule call in shared/adapters (it is a per-schedule setting).
 */
export class OfferScheduler extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly targetRole: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  /** The literal name (not the group's Ref token), so IAM ARNs and cdk-nag finding ids stay readable. */
  readonly groupName: string;
  private readonly targetFunctionArn: string;

  constructor(scope: Construct, id: string, props: OfferSchedulerProps) {
    super(scope, id);
    this.targetFunctionArn = props.targetFunctionArn;
    this.groupName = props.groupName;

    this.group = new scheduler.ScheduleGroup(this, 'Group', { scheduleGroupName: props.groupName });

    // Holds a schedule's payload (slot id, batch number; no patient data) when every retry failed, and
    // the target function's own failed async invocations. A message here means a slot stopped moving.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const stack = Stack.of(this);
    this.targetRole = new iam.Role(this, 'TargetRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the offer engine for one-shot schedules',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // Confused-deputy guard: only schedules in this app's group may use the role. Scheduler sets
        // aws:SourceArn to the schedule GROUP's ARN; a schedule ARN here would deny every invocation.
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: props.groupName,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          },
        },
      }),
    });
    this.targetRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.targetFunctionArn] }),
    );
    this.deadLetterQueue.grantSendMessages(this.targetRole);

    // The safety net behind the one-shot schedules: every few minutes the engine restarts any OPEN slot
    // whose next step is overdue (a lost schedule, a sender whose retries all failed). Healthy slots are
    // untouched, so a missed or doubled sweep costs nothing.
    const sweep = new scheduler.CfnSchedule(this, 'StalledSlotSweep', {
      groupName: props.groupName,
      description: 'Restarts any open slot whose next batch is overdue',
      scheduleExpression: SWEEP_SCHEDULE.expression,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: props.targetFunctionArn,
        roleArn: this.targetRole.roleArn,
        // The local Scheduler emulator sends the same Input on the same rate (shared/runtime/scheduled-work.ts).
        input: SWEEP_SCHEDULE.input,
        retryPolicy: { ...SWEEP_SCHEDULE.retryPolicy },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
    sweep.node.addDependency(this.group);
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of EventBridge Scheduler and of the target function; cdk-nag only recognises SQS redrive policies as DLQ use.',
    });
  }

  /** `arn:…:scheduler:<region>:<account>:schedule/<group>/*`: every schedule in this group and no other. */
  private scheduleArnPattern(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.groupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /**
   * Lets a function create and delete one-shot schedules in this group, and pass exactly the target
   * role to Scheduler; sets the four environment variables the scheduler adapter reads.
   */
  grantScheduling(fn: BackfillFunction): void {
    fn.addEnvironment('SCHEDULE_GROUP_NAME', this.groupName);
    fn.addEnvironment('SCHEDULER_TARGET_ARN', this.targetFunctionArn);
    fn.addEnvironment('SCHEDULER_ROLE_ARN', this.targetRole.roleArn);
    fn.addEnvironment('SCHEDULER_DLQ_ARN', this.deadLetterQueue.queueArn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [this.scheduleArnPattern()],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.targetRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    // The policy lives on the role (a sibling of the function), so the acknowledgement goes there.
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${this.iamFindingPattern()}]`,
      reason:
        'Schedule names are generated per slot at run time (slot id + step), so the grant covers schedule/<group>/* of this app’s own group only; no other group is reachable.',
    });
  }

  /** How cdk-nag prints the schedule ARN in its finding id (tokens rendered as <Ref> placeholders). */
  private iamFindingPattern(): string {
    return `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${this.groupName}/*`;
  }
}
