/**
 * One EventBridge Scheduler schedule per enabled schedule of config.yaml, at the same cron expression and time zone,
 * starting the task with that schedule's `cbbd` arguments. The target is Scheduler's universal ecs:runTask target,
 * because the templated ECS target cannot override a container's command. The task definition is named by its
 * family, so each run takes the latest revision: the one deploy.yml registered for the newest image.
 */
import { Aws, Duration, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { CONTAINER_NAME } from './container-contract.ts';
import type { ProjectSchedule } from './project-config.ts';
import type { TaskRuntime } from './task-runtime.ts';

export interface ScheduledRunsProps {
  readonly runtime: TaskRuntime;
  readonly schedules: readonly ProjectSchedule[];
}

export class ScheduledRuns extends Construct {
  readonly role: iam.Role;
  readonly schedules: scheduler.Schedule[] = [];

  constructor(scope: Construct, id: string, props: ScheduledRunsProps) {
    super(scope, id);
    const { runtime } = props;
    const task = runtime.taskDefinition;
    const family = `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task-definition/${task.family}`;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: 'EventBridge Scheduler starts cbbd runs on the cbbd cluster',
    });
    // Given to every target (the universal target would otherwise grant ecs:RunTask on "*").
    const policyStatements = [
      new iam.PolicyStatement({
        sid: 'RunCbbdTask',
        actions: ['ecs:RunTask'],
        // The family's revisions: deploy.yml registers a new one for each image, after this stack.
        resources: [family, `${family}:*`],
        conditions: { ArnEquals: { 'ecs:cluster': runtime.cluster.clusterArn } },
      }),
      new iam.PolicyStatement({
        sid: 'PassTaskRoles',
        actions: ['iam:PassRole'],
        resources: [task.taskRole.roleArn, task.obtainExecutionRole().roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    ];
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/${task.family}:*]`,
      reason: 'Any revision of the cbbd family only: deploy.yml registers a revision per image after the stack is deployed.',
    });

    const subnetIds = runtime.vpc.selectSubnets(runtime.subnets).subnetIds;
    for (const schedule of props.schedules) {
      const target = new targets.Universal({
        service: 'ecs',
        action: 'runTask',
        role: this.role,
        // A failed RunTask (no Fargate capacity for a moment) is tried again for an hour, then the night is lost
        // and the "no successful run" alarm speaks.
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        policyStatements,
        input: scheduler.ScheduleTargetInput.fromObject({
          Cluster: runtime.cluster.clusterArn,
          TaskDefinition: task.family,
          LaunchType: 'FARGATE',
          Count: 1,
          StartedBy: `schedule/${schedule.name}`.slice(0, 128),
          NetworkConfiguration: {
            AwsvpcConfiguration: {
              Subnets: subnetIds,
              SecurityGroups: [runtime.securityGroup.securityGroupId],
              AssignPublicIp: runtime.assignPublicIp ? 'ENABLED' : 'DISABLED',
            },
          },
          Overrides: { ContainerOverrides: [{ Name: CONTAINER_NAME, Command: [...schedule.command] }] },
        }),
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
