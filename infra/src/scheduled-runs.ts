/**
 * One EventBridge Scheduler schedule per enabled schedule of config.yaml, at the same cron expression and time zone,
 * each starting the one `cbbd-runs` state machine with that schedule's `cbbd` arguments. The state machine runs the task
 * and waits for it (ECS RunTask .sync), so a night that fails is tried once more after 15 minutes (another run holding
 * the lease, a 5xx storm at the API), and one that outlives the maximum run time is stopped (ECS's StopTask: SIGTERM,
 * the run records itself cancelled) and reported, not tried again.
 * What the scheduler cannot start (a throttled StartExecution, a deleted state machine) lands in a dead-letter queue,
 * which alarms (run-alarms.ts).
 */
import type { CfnElement, CfnResource} from 'aws-cdk-lib';
import { Aws, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ProjectSchedule } from './project-config.ts';
import type { TaskRuntime } from './task-runtime.ts';

export interface ScheduledRunsProps {
  readonly runtime: TaskRuntime;
  readonly schedules: readonly ProjectSchedule[];
  /** A run still going after this many hours is stopped. */
  readonly maxRunHours: number;
}

/** A failed task is started again once, after this wait. */
export const RETRY_AFTER = Duration.minutes(15);

export class ScheduledRuns extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;
  readonly schedules: scheduler.Schedule[] = [];

  constructor(scope: Construct, id: string, props: ScheduledRunsProps) {
    super(scope, id);
    const { runtime } = props;

    const run = new tasks.EcsRunTask(this, 'RunCbbd', {
      comment: 'cbbd with the schedule\'s arguments, as the schedules of config.yaml say',
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      cluster: runtime.cluster,
      taskDefinition: runtime.taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget(),
      assignPublicIp: runtime.assignPublicIp,
      subnets: runtime.subnets,
      securityGroups: [runtime.securityGroup],
      containerOverrides: [{ containerDefinition: runtime.container, command: sfn.JsonPath.listAt('$.command') }],
      // On timeout Step Functions stops the task (SIGTERM, then SIGKILL after the 120 s stop timeout) and fails with
      // States.Timeout, which the retry below does not catch.
      taskTimeout: sfn.Timeout.duration(Duration.hours(props.maxRunHours)),
      resultPath: sfn.JsonPath.DISCARD,
    });
    // A task that exits non-zero (or cannot start) is tried once more; a timed-out one is not: it would time out again.
    run.addRetry({ errors: ['States.TaskFailed'], maxAttempts: 1, interval: RETRY_AFTER, backoffRate: 1 });

    const executions = new logs.LogGroup(this, 'Executions', {
      logGroupName: '/cbbd/run-executions', retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'Runs', {
      stateMachineName: 'cbbd-runs',
      comment: 'One cbbd run started by a schedule: the task, a retry after a failure, a maximum run time',
      definitionBody: sfn.DefinitionBody.fromChainable(run),
      timeout: Duration.hours(2 * props.maxRunHours + 1),
      logs: { destination: executions, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Step Functions\' own grants for its log delivery and X-Ray, which take no resource, and ecs:StopTask/DescribeTasks on the tasks it starts.',
    });
    (this.stateMachine.role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource).addMetadata('checkov', { skip: [
      { id: 'CKV_AWS_111', comment: 'Step Functions\' own grants for a .sync ECS task (its managed events rule), log delivery and X-Ray; ecs:RunTask is scoped to the family and cluster.' },
    ] });
    // ecs:RunTask on any revision of the task's family, which CDK writes by splitting the task definition's ARN.
    const stack = Stack.of(this);
    const taskId = stack.resolve(stack.getLogicalId(runtime.taskDefinition.node.defaultChild as CfnElement)) as string;
    const field = (i: number) => `{"Fn::Select":[${i},{"Fn::Split":[":",{"Ref":"${taskId}"}]}]}`;
    const path = (i: number) => `{"Fn::Select":[${i},{"Fn::Split":["/",${field(5)}]}]}`;
    Validations.of(this.stateMachine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${field(1)}:${field(2)}:${field(3)}:${field(4)}:${path(0)}/${path(1)}:*]`,
      reason: 'Any revision of the cbbd task family: each deploy registers a new one.',
    });

    this.deadLetterQueue = new sqs.Queue(this, 'Undelivered', {
      queueName: 'cbbd-schedule-dead-letters',
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the schedules.' });
    (this.deadLetterQueue.node.defaultChild as CfnResource).addMetadata('checkov', { skip: [
      { id: 'CKV_AWS_27', comment: 'Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); checkov looks for a KMS key only.' },
    ] });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'EventBridge Scheduler starts cbbd runs (the cbbd-runs state machine)',
    });

    for (const schedule of props.schedules) {
      const target = new targets.StepFunctionsStartExecution(this.stateMachine, {
        role: this.role,
        input: scheduler.ScheduleTargetInput.fromObject({ schedule: schedule.name, command: [...schedule.command] }),
        // A failed StartExecution is tried again for an hour, then the event goes to the dead-letter queue.
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      });
      this.schedules.push(new scheduler.Schedule(this, `Schedule-${schedule.name}`, {
        scheduleName: `cbbd-${schedule.name}`,
        description: `cbbd ${schedule.command.join(' ')} (config.yaml schedules.${schedule.name}: "${schedule.cron}" ${schedule.timezone})`,
        schedule: scheduler.ScheduleExpression.expression(schedule.eventBridgeCron, TimeZone.of(schedule.timezone)),
        target,
      }));
    }
  }
}
