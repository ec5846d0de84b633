/**
 * The cbbd stack: the lakehouse's AWS resources, the Fargate task, the schedules from config.yaml, the alarms, and
 * (when a repository is named) the role GitHub Actions deploys with. Every input comes through `CbbdStackProps`, so a
 * test builds the same stack the CLI deploys, offline.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { renderCloudConfig } from './cloud-config.ts';
import { GitHubDeployRole } from './github-deploy-role.ts';
import { LakehouseResources } from './lakehouse-resources.ts';
import type { ProjectConfig } from './project-config.ts';
import { RunAlarms } from './run-alarms.ts';
import { ScheduledRuns } from './scheduled-runs.ts';
import { TaskRuntime } from './task-runtime.ts';

export const ATHENA_WORKGROUP = 'cbbd';

export interface CbbdStackProps extends StackProps {
  readonly project: ProjectConfig;
  /** The image tag the task definition runs: a git commit that deploy.yml built and pushed. */
  readonly imageTag: string;
}

export class CbbdStack extends Stack {
  readonly lakehouse: LakehouseResources;
  readonly runtime: TaskRuntime;
  readonly scheduledRuns: ScheduledRuns;
  readonly runAlarms: RunAlarms;
  readonly deployRole: GitHubDeployRole | undefined;

  constructor(scope: Construct, id: string, props: CbbdStackProps) {
    super(scope, id, { description: 'cbbd: the CBBD lakehouse orchestrator on ECS Fargate (infra/)', ...props });
    const { project } = props;
    const { deploy } = project;
    this.lakehouse = new LakehouseResources(this, 'Lakehouse', {
      bucketName: project.bucket, checkpointTableName: project.checkpointTable, workgroupName: ATHENA_WORKGROUP,
    });
    const cloudConfig = renderCloudConfig(project, {
      region: project.region, bucket: project.bucket, checkpointTable: project.checkpointTable, workgroup: ATHENA_WORKGROUP,
    });
    this.runtime = new TaskRuntime(this, 'Runtime', {
      lakehouse: this.lakehouse,
      cloudConfig,
      imageTag: props.imageTag,
      vpcId: deploy.vpcId,
      privateSubnets: deploy.privateSubnets,
      defaultCommand: ['status'],
    });
    this.scheduledRuns = new ScheduledRuns(this, 'Schedules', { runtime: this.runtime, schedules: project.schedules, maxRunHours: deploy.maxRunHours });
    this.runAlarms = new RunAlarms(this, 'Alarms', { runtime: this.runtime, runs: this.scheduledRuns, alarmEmail: deploy.alarmEmail });
    this.deployRole = deploy.githubRepo
      ? new GitHubDeployRole(this, 'GitHubDeploy', {
          runtime: this.runtime, repository: deploy.githubRepo, environment: deploy.githubEnvironment, existingProviderArn: deploy.githubOidcProviderArn,
        })
      : undefined;

    new CfnOutput(this, 'RepositoryUri', { value: this.runtime.repository.repositoryUri, description: 'Push cbbd images here (deploy.yml does)' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.runAlarms.topic.topicArn, description: 'Subscribe to cbbd alarms here' });
    // What deploy.yml's smoke test needs to start a one-off task as the schedules do.
    new CfnOutput(this, 'ClusterName', { value: this.runtime.cluster.clusterName });
    new CfnOutput(this, 'TaskDefinitionArn', { value: this.runtime.taskDefinition.taskDefinitionArn });
    new CfnOutput(this, 'TaskSubnets', { value: this.runtime.vpc.selectSubnets(this.runtime.subnets).subnetIds.join(',') });
    new CfnOutput(this, 'TaskSecurityGroup', { value: this.runtime.securityGroup.securityGroupId });
    new CfnOutput(this, 'TaskAssignPublicIp', { value: this.runtime.assignPublicIp ? 'ENABLED' : 'DISABLED' });
  }
}
