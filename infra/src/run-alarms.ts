/**
 * What tells a person that the nightly went wrong, on one SNS topic (with an e-mail subscription when the context
 * gives an address):
 * - error logs: a line at pino's error level or above, or the CLI's own `cbbd: …` error line;
 * - no successful run for 36 hours: every task that stops with exit code 0 is written to a log group by an
 *   EventBridge rule and counted by a metric filter; hours without one count as breaching, so a schedule that never
 *   starts a task (a broken image, a deleted schedule) alarms as surely as one that fails;
 * - a task stopping with a non-zero exit code, or failing to start: an EventBridge rule publishes the event itself;
 * - a scheduled run that failed after its retry or ran past the maximum run time (the state machine), and a schedule
 *   that could not start one at all (its dead-letter queue).
 */
import type { CfnResource} from 'aws-cdk-lib';
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ScheduledRuns } from './scheduled-runs.ts';
import type { TaskRuntime } from './task-runtime.ts';

export const METRIC_NAMESPACE = 'cbbd';
export const TASK_EVENTS_LOG_GROUP = '/cbbd/task-events';
/** Hours without a task that exited 0 before the alarm fires: a missed nightly and a half-day's grace. */
export const HOURS_WITHOUT_SUCCESS = 36;
/** Why the alarm topic and the log groups use AWS-managed keys, not KMS keys of their own (checkov CKV_AWS_26/158). */
export const KMS_NOT_NEEDED = 'They hold run status and logs, never the API key (redacted, and an ECS secret); AWS-managed encryption at rest, no $1/month key per resource.';

export interface RunAlarmsProps {
  readonly runtime: TaskRuntime;
  readonly runs: ScheduledRuns;
  /** Where alarm e-mails go (config.yaml aws.deploy.alarmEmail); without it, subscribe to the topic by other means. */
  readonly alarmEmail?: string | undefined;
}

export class RunAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: RunAlarmsProps) {
    super(scope, id);
    const { runtime } = props;
    this.topic = new sns.Topic(this, 'Topic', { topicName: 'cbbd-alarms', displayName: 'cbbd alarms', enforceSSL: true });
    (this.topic.node.defaultChild as CfnResource).addMetadata('checkov', { skip: [{ id: 'CKV_AWS_26', comment: KMS_NOT_NEEDED }] });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const notify = new cwActions.SnsAction(this.topic);

    // Error lines: pino's JSON lines at level error (50) or fatal (60), and the CLI's one-line failure on stderr.
    const errorLines = new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: 'ErrorLogLines', statistic: 'Sum', period: Duration.minutes(5) });
    for (const [id, pattern] of [['ErrorLevelLines', logs.FilterPattern.numberValue('$.level', '>=', 50)], ['CliErrorLines', logs.FilterPattern.literal('%^cbbd: %')]] as const) {
      new logs.MetricFilter(this, id, {
        logGroup: runtime.logGroup, filterPattern: pattern, metricNamespace: METRIC_NAMESPACE, metricName: 'ErrorLogLines', metricValue: '1',
      });
    }
    this.alarm('ErrorLogs', errorLines, {
      alarmName: 'cbbd-error-logs',
      alarmDescription: `A cbbd run logged an error (log group ${runtime.logGroup.logGroupName}).`,
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }, notify);

    // Tasks of this cluster that stopped, as ECS reports them.
    const stopped = { source: ['aws.ecs'], detailType: ['ECS Task State Change'] };
    const ofCluster = { clusterArn: [runtime.cluster.clusterArn], lastStatus: ['STOPPED'] };

    const taskEvents = new logs.LogGroup(this, 'TaskEvents', {
      logGroupName: TASK_EVENTS_LOG_GROUP, retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY,
    });
    new logs.ResourcePolicy(this, 'TaskEventsWrite', {
      policyStatements: [new iam.PolicyStatement({
        sid: 'EventBridgeWritesTaskEvents',
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [taskEvents.logGroupArn],
      })],
    });
    const taskEventsTarget: events.IRuleTarget = {
      // The events target takes the log group's ARN without the `:*` of its streams.
      bind: () => ({ arn: Arn.format({ service: 'logs', resource: 'log-group', resourceName: TASK_EVENTS_LOG_GROUP, arnFormat: ArnFormat.COLON_RESOURCE_NAME }, Stack.of(this)) }),
    };
    new events.Rule(this, 'SucceededRuns', {
      description: 'cbbd tasks that exited 0, counted by the SucceededRuns metric (not the deploy\'s smoke tests)',
      // A deploy's smoke test exits 0 too, and would hide a broken nightly for 36 hours.
      eventPattern: { ...stopped, detail: { ...ofCluster, containers: { exitCode: [0] }, startedBy: [{ 'anything-but': { prefix: 'smoke-test/' } }] } },
      targets: [taskEventsTarget],
    });
    new logs.MetricFilter(this, 'SucceededRunsFilter', {
      logGroup: taskEvents, filterPattern: logs.FilterPattern.stringValue('$.detail.lastStatus', '=', 'STOPPED'),
      metricNamespace: METRIC_NAMESPACE, metricName: 'SucceededRuns', metricValue: '1',
    });
    this.alarm('NoSuccessfulRun', new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: 'SucceededRuns', statistic: 'Sum', period: Duration.hours(1) }), {
      alarmName: 'cbbd-no-successful-run',
      alarmDescription: `No cbbd task has exited 0 for ${HOURS_WITHOUT_SUCCESS} hours: the nightly did not run or did not succeed.`,
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: HOURS_WITHOUT_SUCCESS, datapointsToAlarm: HOURS_WITHOUT_SUCCESS,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }, notify);

    // Scheduled runs: failed after their retry, or stopped at the maximum run time, or never started.
    const machine = props.runs.stateMachine;
    this.alarm('ScheduledRunFailed', new cloudwatch.MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: { failed: machine.metricFailed(), timedOut: machine.metricTimedOut(), aborted: machine.metricAborted() },
      period: Duration.minutes(5),
    }), {
      alarmName: 'cbbd-scheduled-run-failed',
      alarmDescription: 'A scheduled cbbd run failed after its retry, or ran past the maximum run time (state machine cbbd-runs).',
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }, notify);
    this.alarm('ScheduleUndelivered', props.runs.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), {
      alarmName: 'cbbd-schedule-undelivered',
      alarmDescription: 'A schedule could not start its run: see the queue cbbd-schedule-dead-letters for the event and the error.',
      threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }, notify);

    new events.Rule(this, 'FailedRuns', {
      description: 'cbbd tasks that exited non-zero or failed to start',
      eventPattern: {
        ...stopped,
        // 75: refused because another run holds the lease (retried by the state machine, which alarms if that fails too).
        detail: { ...ofCluster, $or: [{ containers: { exitCode: [{ 'anything-but': [0, 75] }] } }, { stopCode: ['TaskFailedToStart'] }] },
      },
      targets: [new eventTargets.SnsTopic(this.topic, {
        message: events.RuleTargetInput.fromText(
          `cbbd task ${events.EventField.fromPath('$.detail.taskArn')} (${events.EventField.fromPath('$.detail.startedBy')}) stopped: ` +
            `${events.EventField.fromPath('$.detail.stoppedReason')}; exit code ${events.EventField.fromPath('$.detail.containers[0].exitCode')}. ` +
            `Logs: ${runtime.logGroup.logGroupName}.`,
        ),
      })],
    });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, props: Omit<cloudwatch.AlarmProps, 'metric'>, notify: cwActions.SnsAction): void {
    const alarm = new cloudwatch.Alarm(this, id, { metric, ...props });
    alarm.addAlarmAction(notify);
    this.alarms.push(alarm);
  }
}
